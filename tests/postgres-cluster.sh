#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temporary folder, a free port, 127.0.0.1 only,
# trust authentication on loopback (nothing else can connect; it is deleted by "stop").
#
#   tests/postgres-cluster.sh start [DIR]   creates and starts a cluster in DIR (default: a new folder
#                                           under /tmp); prints its connection string on stdout and
#                                           writes it to DIR/connection-string; the folder is on stderr
#   tests/postgres-cluster.sh stop DIR      stops that cluster and deletes DIR
#
# initdb refuses to run as root: as root the cluster belongs to the unprivileged "postgres" user that
# Debian's postgresql package creates. The binaries come from PG_BIN, else the newest
# /usr/lib/postgresql/*/bin, else pg_config on the PATH.
set -euo pipefail

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  echo "postgres-cluster.sh: PostgreSQL is not installed (install Debian's postgresql package)" >&2
  exit 2
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin dir port tries
  bin=$(find_bin)
  dir=${1:-$(mktemp -d /tmp/faqbot-pg.XXXXXX)}
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "postgres-cluster.sh: running as root needs the 'postgres' user (Debian's postgresql package creates it)" >&2; exit 2; }
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  for tries in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 30000 ))
    port_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start >/dev/null; then
      local cs="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      echo "$cs" >"$dir/connection-string"
      echo "$dir" >&2
      echo "$cs"
      return 0
    fi
  done
  echo "postgres-cluster.sh: could not start PostgreSQL; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  local dir=${1:?usage: postgres-cluster.sh stop DIR}
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(find_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 64 ;;
esac
