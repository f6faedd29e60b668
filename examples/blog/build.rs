//! Rebuilds when a migration folder is added or removed (`migrations!` tracks the files
//! it embeds, not the folder).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
