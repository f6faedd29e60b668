//! Attribute key names, in one place so that parsing, "did you mean" hints and error
//! messages never disagree.

pub const SCHEMA: &str = "schema";

// struct level
pub const TABLE: &str = "table";
pub const PRIMARY_KEY: &str = "primary_key";
pub const INDEX: &str = "index";
pub const CHECK: &str = "check";
pub const RENAMED_FROM: &str = "renamed_from";
pub const COMMENTS: &str = "comments";
pub const EXTENSIONS: &str = "extensions";
// inside struct-level index(…) and check(…)
pub const COLUMNS: &str = "columns";
pub const UNIQUE: &str = "unique";
pub const UNIQUE_CONSTRAINT: &str = "unique_constraint";
pub const CONSTRAINT: &str = "constraint";
pub const NAME: &str = "name";
pub const WHERE: &str = "where";
pub const USING: &str = "using";
pub const INCLUDE: &str = "include";
pub const WITH: &str = "with";
pub const ASC: &str = "asc";
pub const DESC: &str = "desc";
pub const NULLS_FIRST: &str = "nulls_first";
pub const NULLS_LAST: &str = "nulls_last";
pub const OPS: &str = "ops";
pub const COLLATE: &str = "collate";
pub const EXPR: &str = "expr";
// field level
pub const COLUMN: &str = "column";
pub const SQL_TYPE: &str = "sql_type";
pub const MAX_LENGTH: &str = "max_length";
pub const DEFAULT: &str = "default";
pub const BACKFILL: &str = "backfill";
pub const NO_NULLS: &str = "no_nulls";
pub const CONVERT: &str = "convert";
pub const CONVERT_BACK: &str = "convert_back";
pub const GENERATED: &str = "generated";
pub const VIRTUAL: &str = "virtual";
pub const REFERENCES: &str = "references";
pub const FOREIGN_KEY: &str = "foreign_key";
pub const DEFERRABLE: &str = "deferrable";
pub const INITIALLY_DEFERRED: &str = "initially_deferred";
pub const ON_DELETE: &str = "on_delete";
pub const ON_UPDATE: &str = "on_update";
pub const IDENTITY: &str = "identity";
pub const SKIP: &str = "skip";
// on an enum and its variants (sqlx's keys)
pub const TYPE_NAME: &str = "type_name";
pub const RENAME_ALL: &str = "rename_all";
pub const RENAME: &str = "rename";

/// Keys accepted on an enum.
pub const ENUM_KEYS: &[&str] = &[TYPE_NAME, RENAME_ALL];
/// Keys accepted on an enum's variant.
pub const VARIANT_KEYS: &[&str] = &[RENAME];

/// Keys accepted on the struct.
pub const STRUCT_KEYS: &[&str] = &[
    TABLE,
    PRIMARY_KEY,
    INDEX,
    CHECK,
    FOREIGN_KEY,
    RENAMED_FROM,
    COMMENTS,
    EXTENSIONS,
];
/// Keys accepted inside `foreign_key(…)`.
pub const FOREIGN_KEY_KEYS: &[&str] = &[
    COLUMNS,
    REFERENCES,
    NAME,
    ON_DELETE,
    ON_UPDATE,
    DEFERRABLE,
    INITIALLY_DEFERRED,
];
/// Keys accepted inside `index(…)`.
pub const INDEX_KEYS: &[&str] = &[
    COLUMNS, UNIQUE, CONSTRAINT, INCLUDE, WITH, NAME, WHERE, USING,
];
/// Keys accepted in a key column's order: `columns(a(desc, nulls_last))`.
pub const ORDER_KEYS: &[&str] = &[ASC, DESC, NULLS_FIRST, NULLS_LAST, OPS, COLLATE];
/// Keys accepted inside `check(…)`.
pub const CHECK_KEYS: &[&str] = &[NAME, EXPR];
/// Keys accepted on a field.
pub const FIELD_KEYS: &[&str] = &[
    PRIMARY_KEY,
    UNIQUE,
    UNIQUE_CONSTRAINT,
    INDEX,
    COLUMN,
    SQL_TYPE,
    MAX_LENGTH,
    DEFAULT,
    BACKFILL,
    NO_NULLS,
    CONVERT,
    CONVERT_BACK,
    GENERATED,
    VIRTUAL,
    RENAMED_FROM,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    CHECK,
    IDENTITY,
    SKIP,
];
