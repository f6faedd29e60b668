//! Allow comments: `-- migrate:allow RULE[, RULE]: REASON` right before a statement exempts
//! it from the named rules; one without a reason, or naming no rule, is itself a finding.

use super::{ALLOW_MARKER, RULES};
use std::collections::HashSet;

/// The rules a statement's allow comments name, and the findings of malformed ones
/// (`(line, message, help)`).
pub(super) fn allows(
    comments: &[(usize, String)],
) -> (HashSet<&'static str>, Vec<(usize, String, String)>) {
    let mut allowed = HashSet::new();
    let mut bad = Vec::new();
    let usage = format!("write `{ALLOW_MARKER} RULE[, RULE]: why it is safe here`");
    for (line, comment) in comments {
        let Some(rest) = comment.strip_prefix(ALLOW_MARKER) else {
            continue;
        };
        let Some((names, _)) = rest
            .split_once(':')
            .filter(|(_, reason)| !reason.trim().is_empty())
        else {
            bad.push((
                *line,
                "allow comment without a reason".to_owned(),
                usage.clone(),
            ));
            continue;
        };
        for name in names.split(',').map(str::trim) {
            match RULES.iter().find(|r| r.name == name) {
                Some(rule) => {
                    allowed.insert(rule.name);
                }
                None => bad.push((
                    *line,
                    format!("allow comment names no rule `{name}`"),
                    format!(
                        "rules: {}",
                        RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
    }
    (allowed, bad)
}
