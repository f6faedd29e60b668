#!/usr/bin/env bash
# Builds and runs a fresh crate outside the workspace, the way a user starts: edition 2021,
# no lock file, no rust-version, one dependency (`migrate-core` by path, features derive
# and db), a model, a typed migration and the example's migrations folder embedded by
# `migrations!`. Fails if any crate cargo picks needs a newer rustc than this one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/app/src"
cp -r "$root/examples/blog/migrations" "$dir/migrations"
cat > "$dir/app/Cargo.toml" <<TOML
[package]
name = "outside-app"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = { path = "$root/migrate-core", features = ["derive", "db"] }

[workspace]
TOML
cat > "$dir/app/src/main.rs" <<'RS'
use migrate_core::apply::{ApplyOptions, MigrationSource, Migrator};
use migrate_core::migrations::EmbeddedMigration;
use migrate_core::typed::{AddColumn, Migration};
use migrate_core::Schema;

/// A model, as a user writes it.
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

const MIGRATIONS: &[EmbeddedMigration] = migrate_core::migrations!("../../migrations");

fn main() {
    let table = Account::table();
    let typed = Migration::new("20261202120000_add_name").expand(|p| {
        p.add(AddColumn::new("accounts", "name", "text"));
    });
    let migrator = Migrator::new(MigrationSource::embedded(MIGRATIONS), ApplyOptions::default());
    drop(migrator);
    println!(
        "{} {} {} {}",
        table.name,
        table.columns.len(),
        MIGRATIONS.len(),
        typed.files().len()
    );
}
RS
cd "$dir/app"
test ! -e Cargo.lock
out="$(CARGO_TARGET_DIR="${OUTSIDE_TARGET_DIR:-$root/target/outside}" cargo run -q)"
expected="accounts 2 $(ls -d "$root"/examples/blog/migrations/*/ | wc -l) 1"
if [ "$out" != "$expected" ]; then
  echo "outside crate printed '$out', expected '$expected'" >&2
  exit 1
fi
echo "outside crate: builds without a lock file and embeds $(ls -d "$root"/examples/blog/migrations/*/ | wc -l) migrations"
