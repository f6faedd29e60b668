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
# Other servers, fetched and started beside the machine's own by scripts/pg-other.sh: the
# catalogue's claims on the oldest one checked (12), and on the newest (18) the whole
# end-to-end suite again (the tests crate and the CLI's: catalogue, apply, introspection,
# init, baseline, drift, verify), since its catalog differs (NOT NULL as constraints).
# Their ports are below the kernel's ephemeral range (32768 and up), so no client socket
# of the suite can hold them.
url="$(scripts/pg-other.sh 12 25412)"
DATABASE_URL="$url" cargo test -p migrate-tests --all-features --test catalogue_e2e
scripts/pg-other.sh stop 12
url="$(scripts/pg-other.sh 18 25418)"
DATABASE_URL="$url" cargo test -p migrate-tests -p migrate-cli --all-features
scripts/pg-other.sh stop 18
# The fleet test of that run started a 12 beside the 18 (a server of another version).
scripts/pg-other.sh stop 12
# The primary and streaming replica backfill_health_e2e started (machine binaries).
scripts/pg-replica.sh stop
bash examples/blog/replay.sh >/dev/null
echo "examples/blog: replay matches the committed migrations"
