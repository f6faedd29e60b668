//! Command-line types. Their doc comments are the `--help` text users read.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Cargo calls `cargo-migrate migrate <args>`; `cargo migrate` is how users type it.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", version, styles = clap::builder::Styles::plain())]
pub enum CargoCli {
    /// Safe PostgreSQL migrations from `#[derive(Schema)]` structs.
    ///
    /// Exit codes: 0 success; 1 `check` found changes not yet in a migration; 2 an error
    /// (bad input, a change without a safe plan, an inconsistent migrations folder).
    Migrate(MigrateArgs),
}

/// Arguments of `cargo migrate`.
#[derive(Debug, Args)]
#[command(version)]
pub struct MigrateArgs {
    /// Crate root holding `Migrate.toml`, the model sources and the migrations folder.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diff the models against the newest migration's snapshot and write the next migration.
    ///
    /// Writes `migrations/<yyyymmddhhmmss>_<name>/` with an up and a down file for each
    /// phase that has statements (expand, backfill, contract) and `snapshot.json`. Writes
    /// nothing when the models have not changed.
    Generate(GenerateArgs),
    /// Exit 1 (and say what differs) when the models have changes no migration holds yet.
    ///
    /// Writes nothing: meant for CI, so a pull request cannot change a model without its
    /// migration.
    Check,
}

/// Options of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Name of the migration (lower-case words); derived from the changes when omitted.
    #[arg(long)]
    pub name: Option<String>,

    /// Acknowledge dropping TABLE and all its rows (repeat for several tables). Without
    /// it, a table missing from the models is an error, so a wrong `models` glob can never
    /// generate a drop.
    #[arg(long = "allow-drop", value_name = "TABLE")]
    pub allow_drop: Vec<String>,

    /// UTC time for the folder name (yyyymmddhhmmss) instead of now: for reproducing a
    /// committed migration byte for byte.
    #[arg(long, value_name = "YYYYMMDDHHMMSS", hide = true, value_parser = parse_timestamp)]
    pub timestamp: Option<String>,
}

fn parse_timestamp(s: &str) -> Result<String, String> {
    if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("expected 14 digits: yyyymmddhhmmss".into())
    }
}
