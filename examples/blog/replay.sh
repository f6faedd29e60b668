#!/usr/bin/env bash
# Replays the example's model history with `cargo migrate generate`: version 1, version 2,
# then the current models, each generated on top of the previous one in a scratch crate.
# Then compares the result with the committed examples/blog/migrations (byte for byte: the
# committed folders' timestamps are reused). No database needed.
#
#   bash examples/blog/replay.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
case "$here/" in "$out"/*)
  echo "replay.sh: OUT_DIR must be a scratch folder outside examples/blog" >&2; exit 2;; esac
cargo build -q --manifest-path "$root/Cargo.toml" -p migrate-cli
bin="$root/target/debug/cargo-migrate"

rm -rf "$out/migrations"
mkdir -p "$out/src"
cp "$here/Migrate.toml" "$out/"
mapfile -t committed < <(ls "$here/migrations" 2>/dev/null | sort)

sources=(versions/v1.rs versions/v2.rs src/models.rs)
names=(create_blog comments_and_profiles tags_and_drop_sessions)
extra=("" "" "--allow-drop sessions")
for i in 0 1 2; do
  echo "== models: examples/blog/${sources[$i]}"
  cp "$here/${sources[$i]}" "$out/src/models.rs"
  ts=()
  if [ -n "${committed[$i]:-}" ]; then ts=(--timestamp "${committed[$i]:0:14}"); fi
  # shellcheck disable=SC2086
  "$bin" migrate generate --dir "$out" --name "${names[$i]}" ${extra[$i]} "${ts[@]}"
done
echo "== cargo migrate check"
"$bin" migrate check --dir "$out"

if [ ${#committed[@]} -gt 0 ]; then
  diff -r "$here/migrations" "$out/migrations"
  echo "== identical to the committed examples/blog/migrations"
else
  cp -r "$out/migrations" "$here/migrations"
  echo "== no committed migrations yet: copied them to examples/blog/migrations"
fi
echo "Generated migrations: $out/migrations"
