#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (15, or the major of PG_BIN) in a temporary folder, owned by the `postgres` OS user
# (initdb refuses root). Listens only on a Unix socket inside that folder.
#   pg-temp.sh start DIR [PORT] [extra postgresql.conf lines...]   → prints nothing, server up
#   pg-temp.sh restart DIR                                          → same cluster, restarted
#   pg-temp.sh stop DIR                                             → server down, DIR removed
#   pg-temp.sh env DIR                                              → PGHOST/PGPORT exports
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg-temp.sh start|stop|env DIR [PORT]}
dir=${2:?usage: pg-temp.sh start|stop|env DIR [PORT]}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

case "$cmd" in
  start)
    port=${3:-54329}
    shift 3 || shift $#
    mkdir -p "$dir"
    chown postgres: "$dir" 2>/dev/null || true
    chmod 700 "$dir"
    as_postgres "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$dir'"
      echo "port = $port"
      echo "fsync = off"
      for line in "$@"; do echo "$line"; done
    } >>"$dir/data/postgresql.conf"
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    ;;
  restart)
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  env)
    # The client programs (psql, pg_dump) of the server's own major come first.
    echo "export PGHOST='$dir' PGPORT='$(cat "$dir/port")' PGUSER=postgres PATH='$BIN':\"\$PATH\""
    ;;
  *) echo "unknown command: $cmd" >&2; exit 2 ;;
esac
