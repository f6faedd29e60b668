#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 600), after seeding its corpus
# from the repository's own SQL, snapshots and model sources. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it use the
# nightly flags it needs. Crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
mkdir -p corpus/lint corpus/phase_file corpus/derive corpus/snapshot
for f in ../examples/blog/migrations/*/*.sql ../migrate-core/src/typed/snapshots/*.snap; do
  n="$(basename "$(dirname "$f")")_$(basename "$f")"
  cp "$f" "corpus/lint/$n"
  cp "$f" "corpus/phase_file/$n"
done
for f in ../examples/blog/migrations/*/snapshot.json; do
  cp "$f" "corpus/snapshot/$(basename "$(dirname "$f")").json"
done
for f in ../examples/blog/src/models.rs ../examples/blog/versions/*.rs; do
  cp "$f" "corpus/derive/$(basename "$f")"
done
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
for target in lint phase_file derive snapshot; do
  echo "== $target (${seconds}s)"
  cargo fuzz run "$target" --sanitizer none -- -max_total_time="$seconds" -max_len=4096
done
