#!/usr/bin/env bash
# Starts a PostgreSQL primary and a streaming replica of it, beside the machine's own server,
# from the machine's PostgreSQL binaries (pg_basebackup comes with them), and prints the two
# URLs on one line:
#   scripts/pg-replica.sh 25515 25516
#   → postgres://postgres@127.0.0.1:25515/postgres postgres://postgres@127.0.0.1:25516/postgres
# - both run as a non-root user (`pgother`, created when the script runs as root), trust
#   auth, on 127.0.0.1, under ${PG_REPLICA_DIR:-/tmp/pg-replica};
# - the replica is a `pg_basebackup -R` of the primary (WAL streamed, hot standby), so the
#   primary's pg_stat_replication shows it and `SELECT pg_wal_replay_pause()` on it holds
#   its replay back;
# - servers already answering on the ports are left as they are.
# Stop both with:  scripts/pg-replica.sh stop
set -euo pipefail

base="${PG_REPLICA_DIR:-/tmp/pg-replica}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$bin/pg_basebackup" ] || { echo "pg-replica: no PostgreSQL binaries with pg_basebackup (set PG_BIN)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su pgother -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "${1:-}" = stop ]; then
  for d in replica primary; do
    [ -f "$base/$d/PG_VERSION" ] && as_owner "'$bin/pg_ctl' -D '$base/$d' stop -m fast" >&2 || true
  done
  exit 0
fi

primary_port="${1:?usage: pg-replica.sh PRIMARY_PORT REPLICA_PORT}"
replica_port="${2:?usage: pg-replica.sh PRIMARY_PORT REPLICA_PORT}"
url() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }
opts="-k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"

if [ "$(id -u)" = 0 ] && ! id pgother >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin pgother
fi
mkdir -p "$base"
[ "$(id -u)" = 0 ] && chown pgother "$base"

if ! pg_isready -q -h 127.0.0.1 -p "$primary_port" 2>/dev/null; then
  if [ ! -f "$base/primary/PG_VERSION" ]; then
    as_owner "'$bin/initdb' -D '$base/primary' -U postgres --auth=trust --no-sync -E UTF8 --locale=C" >/dev/null
  fi
  as_owner "'$bin/pg_ctl' -D '$base/primary' -l '$base/primary.log' -w -o \"-p $primary_port $opts\" start" >&2
fi
if ! pg_isready -q -h 127.0.0.1 -p "$replica_port" 2>/dev/null; then
  if [ ! -f "$base/replica/PG_VERSION" ]; then
    as_owner "'$bin/pg_basebackup' -h 127.0.0.1 -p $primary_port -U postgres -D '$base/replica' -R -X stream --no-sync"
  fi
  as_owner "'$bin/pg_ctl' -D '$base/replica' -l '$base/replica.log' -w -o \"-p $replica_port $opts\" start" >&2
fi
echo "$(url "$primary_port") $(url "$replica_port")"
