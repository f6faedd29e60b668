//! One planner per kind of change, each in its own file: it takes the change and the
//! migration's [`Context`](super::context::Context), and returns the change's steps (or
//! files them where the plan puts them) or refuses it with the reason.

pub mod add_check;
pub mod add_column;
pub mod add_enum_values;
pub mod add_foreign_key;
pub mod add_index;
pub mod add_primary_key;
pub mod alter_column;
pub mod change_identity;
pub mod change_key_type;
pub mod change_primary_key;
pub mod change_type;
pub mod create_enum;
pub mod create_extension;
pub mod create_table;
pub mod drop_check;
pub mod drop_column;
pub mod drop_enum;
pub mod drop_foreign_key;
pub mod drop_index;
pub mod drop_table;
pub mod generated_column;
pub mod rename_column;
pub mod rename_constraint;
pub mod rename_index;
pub mod rename_table;
pub mod replace_foreign_key;
pub mod replace_index;
pub mod replaceable;
pub mod set_comment;
