//! Canonical SQL type names and default classification.
//!
//! Types are stored the way PostgreSQL's `format_type()` prints them, so a model written
//! as `varchar(255)` compares equal to the column introspected from the catalog
//! (`character varying(255)`).

/// A type the toolkit refuses, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TypeError(pub String);

/// Canonical spelling of an SQL type: lower case, aliases resolved (`int8` → `bigint`,
/// `varchar(20)` → `character varying(20)`, `timestamptz` → `timestamp with time zone`),
/// array suffixes kept. Types it does not know (extensions, enums) pass through trimmed.
pub fn canonical_type(raw: &str) -> Result<String, TypeError> {
    let squashed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if squashed.is_empty() {
        return Err(TypeError("the SQL type is empty".into()));
    }
    if squashed.contains([';', '\'']) || squashed.contains("--") || squashed.contains("/*") {
        return Err(TypeError(format!(
            "`{raw}` is not a type name (it contains `;`, a quote or a comment)"
        )));
    }
    if squashed.contains('"') {
        // A quoted type name (an enum or domain with upper case): kept exactly.
        return Ok(squashed);
    }
    let mut base = squashed.as_str();
    let mut dims = 0;
    while let Some(rest) = base.strip_suffix("[]") {
        base = rest.trim_end();
        dims += 1;
    }
    let lower = base.to_ascii_lowercase();
    let (name, args) = match (lower.find('('), lower.find(')')) {
        (None, None) => (lower.clone(), None),
        (Some(open), Some(close)) if open < close => {
            // `numeric(10, 2)`, or `timestamp(3) with time zone` (modifier in the middle).
            let tail = lower[close + 1..].trim();
            let head = lower[..open].trim();
            let args = lower[open + 1..close]
                .split(',')
                .map(|a| a.trim())
                .collect::<Vec<_>>()
                .join(",");
            let name = if tail.is_empty() {
                head.to_owned()
            } else {
                format!("{head} {tail}")
            };
            if name.contains(['(', ')']) {
                return Err(TypeError(format!("unbalanced parentheses in type `{raw}`")));
            }
            (name, Some(args))
        }
        _ => return Err(TypeError(format!("unbalanced parentheses in type `{raw}`"))),
    };
    let with_args = |canon: &str| match &args {
        Some(a) => format!("{canon}({a})"),
        None => canon.to_owned(),
    };
    let no_args = |canon: &str| -> Result<String, TypeError> {
        match &args {
            Some(_) => Err(TypeError(format!("type `{canon}` takes no modifier"))),
            None => Ok(canon.to_owned()),
        }
    };
    let canon = match name.as_str() {
        "smallint" | "int2" => no_args("smallint")?,
        "integer" | "int" | "int4" => no_args("integer")?,
        "bigint" | "int8" => no_args("bigint")?,
        "real" | "float4" => no_args("real")?,
        "double precision" | "float8" | "float" if args.is_none() => "double precision".into(),
        "boolean" | "bool" => no_args("boolean")?,
        "varchar" | "character varying" => with_args("character varying"),
        "char" | "character" | "bpchar" => match &args {
            Some(a) => format!("character({a})"),
            None => "character(1)".into(),
        },
        "decimal" | "numeric" => with_args("numeric"),
        "timestamptz" | "timestamp with time zone" => with_tz(&args, "timestamp", true),
        "timestamp" | "timestamp without time zone" => with_tz(&args, "timestamp", false),
        "timetz" | "time with time zone" => with_tz(&args, "time", true),
        "time" | "time without time zone" => with_tz(&args, "time", false),
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2" => {
            return Err(TypeError(format!(
                "`{name}` is not a type but a sequence default; use an integer type with `identity`"
            )));
        }
        _ => with_args(&name),
    };
    Ok(format!("{canon}{}", "[]".repeat(dims)))
}

/// Whether changing a column from `from` to `to` (canonical types) is binary-coercible, so
/// PostgreSQL neither rewrites the table nor rebuilds its indexes: `varchar(n)` →
/// `varchar(m ≥ n)`, `varchar` or `text`; `varchar` ↔ `text`; `numeric(p, s)` → `numeric`
/// or `numeric(q ≥ p, s)`.
pub fn widens_in_place(from: &str, to: &str) -> bool {
    const VARCHAR: &str = "character varying";
    let modifier = |t: &str, base: &str| -> Option<Option<Vec<u32>>> {
        let rest = t.strip_prefix(base)?;
        if rest.is_empty() {
            return Some(None);
        }
        let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
        inner
            .split(',')
            .map(|n| n.trim().parse::<u32>().ok())
            .collect::<Option<Vec<u32>>>()
            .map(Some)
    };
    if from == to {
        return true;
    }
    if let Some(f) = modifier(from, VARCHAR) {
        if to == "text" {
            return true;
        }
        return match (f, modifier(to, VARCHAR)) {
            (_, Some(None)) => true,
            (Some(f), Some(Some(t))) => t.first() >= f.first(),
            _ => false,
        };
    }
    if from == "text" {
        return to == VARCHAR;
    }
    if let Some(Some(f)) = modifier(from, "numeric") {
        return match modifier(to, "numeric") {
            Some(None) => true,
            Some(Some(t)) => t.len() == 2 && f.len() == 2 && t[1] == f[1] && t[0] >= f[0],
            None => false,
        };
    }
    false
}

fn with_tz(args: &Option<String>, base: &str, tz: bool) -> String {
    let zone = if tz { "with" } else { "without" };
    match args {
        Some(p) => format!("{base}({p}) {zone} time zone"),
        None => format!("{base} {zone} time zone"),
    }
}

/// Whether a default expression is a constant PostgreSQL (≥ 11) can store in the catalog
/// when a column is added, without rewriting the table: a literal (number, string,
/// boolean, NULL) with an optional `::type` cast, or a stable time function evaluated once
/// (`now()`, `CURRENT_TIMESTAMP`, …). Anything else — a volatile function such as
/// `gen_random_uuid()`, or an expression this check cannot classify — is not, and gets
/// the conservative plan.
pub fn default_is_constant(expr: &str) -> bool {
    let e = expr.trim();
    let (value, cast) = match split_cast(e) {
        Some(parts) => parts,
        None => return false,
    };
    if let Some(cast) = cast
        && canonical_type(cast).is_err()
    {
        return false;
    }
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    // SQL value functions, and calls without arguments of functions evaluated once.
    const STABLE: [&str; 7] = [
        "current_timestamp",
        "current_date",
        "current_time",
        "localtimestamp",
        "localtime",
        "true",
        "false",
    ];
    if STABLE.contains(&lower.as_str()) || lower == "null" {
        return true;
    }
    if lower
        .strip_suffix("()")
        .is_some_and(crate::catalogue::evaluated_once)
    {
        return true;
    }
    if is_string_literal(v) {
        return true;
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E')
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// Splits `value::type` at the first `::` outside a string literal.
fn split_cast(e: &str) -> Option<(&str, Option<&str>)> {
    let mut in_str = false;
    let bytes = e.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_str = !in_str,
            b':' if !in_str && bytes.get(i + 1) == Some(&b':') => {
                let cast = &e[i + 2..];
                if cast.contains("::") {
                    return None;
                }
                return Some((&e[..i], Some(cast)));
            }
            _ => {}
        }
        i += 1;
    }
    if in_str { None } else { Some((e, None)) }
}

fn is_string_literal(v: &str) -> bool {
    let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) else {
        return false;
    };
    // every quote inside must be doubled
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_match_format_type() {
        let cases = [
            ("int", "integer"),
            ("INT8", "bigint"),
            ("varchar(255)", "character varying(255)"),
            ("VARCHAR", "character varying"),
            ("numeric(10, 2)", "numeric(10,2)"),
            ("decimal", "numeric"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("timestamptz(3)", "timestamp(3) with time zone"),
            ("time", "time without time zone"),
            ("bool", "boolean"),
            ("float8", "double precision"),
            ("text[]", "text[]"),
            ("int4[][]", "integer[][]"),
            ("char", "character(1)"),
            ("jsonb", "jsonb"),
            ("citext", "citext"),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_type(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn refuses_serial_and_bad_modifiers() {
        assert!(
            canonical_type("bigserial")
                .unwrap_err()
                .0
                .contains("identity")
        );
        assert!(canonical_type("integer(4)").is_err());
        assert!(canonical_type("varchar(12").is_err());
        assert!(canonical_type("  ").is_err());
        assert!(canonical_type("text DEFAULT 1; DROP TABLE x").is_err());
        assert!(canonical_type("text -- x").is_err());
        assert_eq!(canonical_type(r#""Mood""#).unwrap(), r#""Mood""#);
    }

    #[test]
    fn binary_coercible_widening() {
        let yes = [
            ("character varying(20)", "character varying(50)"),
            ("character varying(20)", "character varying"),
            ("character varying(20)", "text"),
            ("character varying", "text"),
            ("text", "character varying"),
            ("numeric(10,2)", "numeric"),
            ("numeric(10,2)", "numeric(12,2)"),
        ];
        for (f, t) in yes {
            assert!(widens_in_place(f, t), "{f} -> {t}");
        }
        let no = [
            ("character varying(50)", "character varying(20)"),
            ("text", "character varying(20)"),
            ("integer", "bigint"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("numeric", "numeric(10,2)"),
            ("text", "integer"),
        ];
        for (f, t) in no {
            assert!(!widens_in_place(f, t), "{f} -> {t}");
        }
    }

    #[test]
    fn classifies_defaults() {
        for constant in [
            "0",
            "-1.5",
            "'draft'",
            "'it''s'",
            "'{}'::jsonb",
            "'{}'::text[]",
            "true",
            "NULL",
            "now()",
            "CURRENT_TIMESTAMP",
        ] {
            assert!(default_is_constant(constant), "{constant}");
        }
        for volatile in [
            "gen_random_uuid()",
            "random()",
            "clock_timestamp()",
            "nextval('s')",
            "'a' || 'b'",
            "'unterminated",
            "1::int::text",
            "",
        ] {
            assert!(!default_is_constant(volatile), "{volatile}");
        }
    }
}
