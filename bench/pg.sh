# Sourced by the bench scripts: a throwaway PostgreSQL cluster in a temp folder, for benchmarks.
# Unlike the tests' cluster it keeps fsync, synchronous_commit and full_page_writes on (the
# defaults), so a commit is on disk as it would be in production. PostgreSQL refuses to run as
# root: as root the cluster belongs to the postgres user (runuser), as in tests/Lifeline.Testing.
#
#   pg_start              initdb + pg_ctl start in a new temp folder on a free loopback port; sets PG_DATA, PG_PORT, PG_CONN
#   pg_createdb <name>    prints a connection string to a new empty database
#   pg_sql <sql>          runs one statement in the postgres database, prints the result unaligned
#   pg_stop               pg_ctl stop -m fast, and the folder is deleted
#   PG_SETTINGS="-c shared_buffers=256MB" adds server settings.

pg_bin() {
  local onpath
  onpath=$(command -v initdb 2>/dev/null || true)
  # A link on PATH (e.g. in /usr/local/bin) stands for the folder that also holds psql.
  if [ -n "$onpath" ]; then dirname "$(readlink -f "$onpath")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -1
}

pg_as() { # runs a command as the cluster's owner, from a folder it can read
  if [ "$(id -u)" = 0 ]; then (cd /tmp && runuser -u postgres -- "$@"); else (cd /tmp && "$@"); fi
}

pg_start() {
  PG_BIN=$(pg_bin)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is missing: apt-get install -y postgresql" >&2; return 2; }
  # Its own folder under /tmp: the postgres user cannot enter a folder made by mktemp for root.
  PG_FOLDER=$(mktemp -d /tmp/lifeline-bench-pg-XXXXXX)
  PG_DATA=$PG_FOLDER/data
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_FOLDER"; fi
  PG_PORT=${PG_PORT:-55432}
  while (exec 3<>/dev/tcp/127.0.0.1/"$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
  pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U lifeline --auth=trust --encoding=UTF8 --locale=C >/dev/null
  pg_as "$PG_BIN/pg_ctl" start -D "$PG_DATA" -w -t 120 -l "$PG_FOLDER/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_FOLDER -c max_connections=300 ${PG_SETTINGS:-}" >/dev/null
  PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=lifeline;Database=postgres"
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on :$PG_PORT in $PG_FOLDER (fsync $(pg_sql 'SHOW fsync'), synchronous_commit $(pg_sql 'SHOW synchronous_commit'), shared_buffers $(pg_sql 'SHOW shared_buffers'))"
}

pg_sql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U lifeline -d postgres -qAtX -c "$1"; }

pg_createdb() {
  pg_sql "CREATE DATABASE $1" >/dev/null
  echo "Host=127.0.0.1;Port=$PG_PORT;Username=lifeline;Database=$1"
}

pg_stop() {
  if [ -n "${PG_DATA:-}" ]; then
    pg_as "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w >/dev/null 2>&1 || true
    rm -rf "$PG_FOLDER"
  fi
}
