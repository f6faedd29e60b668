//! Names of the temporary objects the recipes create: deterministic, within 63 bytes, and
//! unique (functions share the schema's namespace, so theirs carry a hash). `table` is a
//! table key (`billing.invoices`); the names carry its bare name, the objects live in its
//! schema.

use crate::sql::{MAX_IDENT_BYTES, shorten_name, split_table};

/// Name of the temporary `CHECK (c IS NOT NULL)`.
pub fn not_null_check(table: &str, column: &str) -> String {
    shorten_name(&format!("{}_{column}_not_null", split_table(table).1))
}

/// Name of the fill trigger (per table).
pub fn fill_trigger(table: &str, column: &str) -> String {
    shorten_name(&format!("{}_{column}_fill", split_table(table).1))
}

/// Name of the fill trigger's function (schema-wide, so disambiguated by a hash).
pub fn fill_function(table: &str, column: &str) -> String {
    unique_function_name(&[split_table(table).1, column], "fill")
}

/// Name of the sync trigger (per table).
pub fn sync_trigger(table: &str, from: &str, to: &str) -> String {
    shorten_name(&format!("{}_{from}_{to}_sync", split_table(table).1))
}

/// Name of the sync trigger's function: it carries a hash of the exact (table, columns), so
/// "a_b"."c" and "a"."b_c" stay apart.
pub fn sync_function(table: &str, from: &str, to: &str) -> String {
    unique_function_name(&[split_table(table).1, from, to], "sync")
}

/// Name of the temporary column holding a column's values in its new type.
pub fn temp_column(column: &str) -> String {
    shorten_name(&format!("{column}_migrate_new"))
}

/// Name an index or constraint is built under while an older one still holds its name.
pub fn temp_name(name: &str) -> String {
    shorten_name(&format!("{name}_migrate_new"))
}

/// Name the old key's index is rebuilt under when a key swap is undone.
pub fn temp_old_name(name: &str) -> String {
    shorten_name(&format!("{name}_migrate_old"))
}

/// `<parts joined by _>_<suffix>_<8 hex of the exact parts>`, at most 63 bytes: function
/// names share the schema's namespace, and `a_b`.`c` must not collide with `a`.`b_c`.
pub fn unique_function_name(parts: &[&str], suffix: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(parts.join("\u{0}").as_bytes());
    let hex: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    let base = shorten_name(&format!("{}_{suffix}", parts.join("_")));
    let room = MAX_IDENT_BYTES - 1 - hex.len();
    let mut cut = base.len().min(room);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hex}", &base[..cut])
}
