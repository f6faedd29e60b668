//! Functions a column default may call and still be evaluated once by `ADD COLUMN`: they
//! are STABLE or IMMUTABLE, so PostgreSQL (≥ 11) computes the default once and keeps it in
//! the catalog instead of rewriting the table. Any other call (`gen_random_uuid()`,
//! `clock_timestamp()`, `random()`, `nextval()` …) fills every row: a rewrite.
//! `tests/tests/catalogue_e2e.rs` checks each one's volatility in `pg_proc`.

/// The functions, lower-case and without schema.
pub const EVALUATED_ONCE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "lower",
    "upper",
    "to_jsonb",
    "jsonb_build_object",
    "json_build_object",
    "make_interval",
    "make_date",
];

/// Whether a default calling `function` (lower-case, without schema) is evaluated once.
pub fn evaluated_once(function: &str) -> bool {
    EVALUATED_ONCE.contains(&function)
}
