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
bash examples/blog/replay.sh >/dev/null
echo "examples/blog: replay matches the committed migrations"
