#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, trybuild, snapshot, CLI and end-to-end
# tests on a real PostgreSQL (DATABASE_URL; scripts/pg-env.sh provides one).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then . scripts/pg-env.sh; fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo test --workspace --all-features
# A user's crate outside the workspace, without a lock file: it builds on this rustc.
bash scripts/outside-crate.sh
# The catalogue's claims, proven again on the oldest and the newest server it is checked on
# (scripts/pg-other.sh fetches and starts them beside the machine's own).
for major in 12 18; do
  url="$(scripts/pg-other.sh "$major" "554$major")"
  DATABASE_URL="$url" cargo test -p migrate-tests --all-features --test catalogue_e2e
  scripts/pg-other.sh stop "$major"
done
bash examples/blog/replay.sh >/dev/null
echo "examples/blog: replay matches the committed migrations"
