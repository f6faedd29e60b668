//! Precision and recall of `cargo migrate lint` on the labelled hand-written migrations of
//! `tests/fixtures/lint_corpus/` (see its README): every statement is labelled safe or
//! unsafe, the linter judges each file as a hand-written migration (no phase), and a
//! statement counts as flagged when a finding names its line. With `squawk` on the PATH
//! (`pip install squawk-cli==2.70.0`), squawk's figures on the same statements are printed
//! beside ours, with and without its stylistic rules. Run with `-- --nocapture` to see them.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::lint::{Action, LintOptions, classify, lint};
use migrate_core::sql::phase_file::split;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// squawk's rules about style or session settings rather than what a statement locks or
/// breaks.
const SQUAWK_STYLE: &[&str] = &[
    "prefer-robust-stmts",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-big-int",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamptz",
    "ban-char-field",
    "require-lock-timeout",
    "require-statement-timeout",
    "require-table-schema",
];

/// One labelled statement.
struct Labelled {
    file: PathBuf,
    first: usize,
    last: usize,
    unsafe_: bool,
    sql: String,
}

fn corpus() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint_corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

fn labelled(file: &Path, text: &str) -> Vec<Labelled> {
    let mut out = Vec::new();
    for raw in split(text).unwrap() {
        let label = raw
            .comments
            .iter()
            .find_map(|(_, c)| c.strip_prefix("-- label: "));
        let Some(label) = label else {
            let bare = classify(&raw.sql)
                .map(|a| {
                    a.iter()
                        .all(|a| matches!(a, Action::Begin | Action::Commit))
                })
                .unwrap_or(false)
                || raw.sql.to_ascii_uppercase().starts_with("SET ");
            assert!(
                bare,
                "{}:{}: unlabelled statement",
                file.display(),
                raw.line
            );
            continue;
        };
        out.push(Labelled {
            file: file.to_owned(),
            first: raw.line,
            last: raw.line + raw.sql.matches('\n').count(),
            unsafe_: label.starts_with("unsafe"),
            sql: raw.sql.lines().next().unwrap_or("").to_owned(),
        });
    }
    out
}

/// True and false positives and negatives, and the statements judged wrongly.
#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
    wrong: Vec<String>,
}

impl Score {
    fn add(&mut self, s: &Labelled, flagged: bool) {
        match (s.unsafe_, flagged) {
            (true, true) => self.tp += 1,
            (false, false) => self.tn += 1,
            (false, true) => {
                self.fp += 1;
                self.wrong.push(format!(
                    "false positive {}:{} {}",
                    name(&s.file),
                    s.first,
                    s.sql
                ));
            }
            (true, false) => {
                self.fn_ += 1;
                self.wrong
                    .push(format!("missed {}:{} {}", name(&s.file), s.first, s.sql));
            }
        }
    }

    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }

    fn line(&self, tool: &str) -> String {
        format!(
            "{tool:<34} precision {:.3}  recall {:.3}  (tp {} fp {} fn {} tn {})",
            self.precision(),
            self.recall(),
            self.tp,
            self.fp,
            self.fn_,
            self.tn
        )
    }
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// The lines (1-based) squawk reports in `file`, with each violation's rule.
fn squawk(file: &Path) -> Option<Vec<(usize, String)>> {
    let out = Command::new("squawk")
        .args(["--reporter", "json", "--pg-version", "15"])
        .arg(file)
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(
        json.as_array()?
            .iter()
            .map(|v| {
                (
                    v["line"].as_u64().unwrap_or(0) as usize + 1,
                    v["rule_name"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect(),
    )
}

#[test]
fn the_linter_finds_the_unsafe_statements_of_the_corpus() {
    let mut ours = Score::default();
    let mut theirs: Option<(Score, Score)> = Some((Score::default(), Score::default()));
    let mut statements = 0;
    for (file, text) in corpus() {
        let findings = lint(&text, &LintOptions::default()).unwrap();
        assert!(
            !findings.iter().any(|f| f.rule == "syntax"),
            "{}: {findings:?}",
            file.display()
        );
        let lines: BTreeSet<usize> = findings
            .iter()
            .filter(|f| f.rule != "allow-comment")
            .map(|f| f.line)
            .collect();
        let squawked = squawk(&file);
        for s in labelled(&file, &text) {
            statements += 1;
            ours.add(&s, lines.contains(&s.first));
            match (&mut theirs, &squawked) {
                (Some((all, safety)), Some(v)) => {
                    let hit = |style: bool| {
                        v.iter().any(|(line, rule)| {
                            (s.first..=s.last).contains(line)
                                && (style || !SQUAWK_STYLE.contains(&rule.as_str()))
                        })
                    };
                    all.add(&s, hit(true));
                    safety.add(&s, hit(false));
                }
                _ => theirs = None,
            }
        }
    }
    println!("{statements} labelled statements");
    println!("{}", ours.line("cargo migrate lint"));
    match &theirs {
        Some((all, safety)) => {
            println!("{}", all.line("squawk 2.70, all rules"));
            println!("{}", safety.line("squawk 2.70, without style rules"));
            for w in &safety.wrong {
                println!("  squawk (no style): {w}");
            }
        }
        None => println!("squawk is not on the PATH: its figures are skipped"),
    }
    for w in &ours.wrong {
        println!("  ours: {w}");
    }
    assert!(
        ours.precision() >= 0.95 && ours.recall() >= 0.95,
        "{}\n{}",
        ours.line("cargo migrate lint"),
        ours.wrong.join("\n")
    );
}
