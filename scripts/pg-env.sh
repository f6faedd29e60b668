# shellcheck shell=bash
# Makes a PostgreSQL server reachable on 127.0.0.1:5432 and exports DATABASE_URL.
# Source it:  . scripts/pg-env.sh
# - a server already listening there is used as it is;
# - otherwise the installed cluster is started (pg_ctlcluster), and PostgreSQL is
#   installed from Debian's packages first when the machine has none.
# Tests create (and drop) their own uniquely named databases on that server.

_pg_log() { echo "pg-env: $*" >&2; }

_pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
  _pg_log "installing PostgreSQL (server and client)"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >&2
fi

if ! _pg_ready; then
  _pg_ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$_pg_ver" ]; then
    _pg_log "no PostgreSQL cluster under /etc/postgresql"; return 1 2>/dev/null || exit 1
  fi
  _pg_log "starting cluster $_pg_ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$_pg_ver" main start >&2 || true
  for _ in $(seq 1 60); do _pg_ready && break; sleep 0.5; done
fi
if ! _pg_ready; then
  _pg_log "PostgreSQL is not accepting connections on 127.0.0.1:5432"; return 1 2>/dev/null || exit 1
fi

# Trust auth is the machine's default; if the server asks for a password, give the
# postgres role a known one for this local test server.
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
if ! psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; then
  _pg_log "password authentication required: setting a local test password for role postgres"
  su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD 'postgres'\"" >&2
  export DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/postgres"
fi
psql "$DATABASE_URL" -Atqc 'select version()' >&2
