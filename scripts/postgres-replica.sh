#!/usr/bin/env bash
# A throwaway streaming replica of the test PostgreSQL server (for the read-replica tests).
#
#   scripts/postgres-replica.sh start PRIMARY_PORT OWNER_PID
#       copies the primary on 127.0.0.1:PRIMARY_PORT with pg_basebackup, starts it as a hot
#       standby on a free port and prints two lines: its data folder and its port. A watcher
#       stops it and removes the folder once OWNER_PID is gone, should `stop` never come.
#   scripts/postgres-replica.sh stop FOLDER
#
# The primary must accept replication connections from 127.0.0.1 (scripts/postgres.sh's server
# does: initdb --auth=trust allows them, and wal_level is `replica` by default).
set -euo pipefail

# shellcheck source=scripts/postgres.sh
source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"

_replica_stop() {
    local folder="$1"
    if [[ -f "$folder/data/postmaster.pid" ]]; then
        _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/pg_ctl" --pgdata="$folder/data" \
            --mode=immediate --wait --silent stop || true
    fi
    rm -rf "$folder"
}

case "${1:-}" in
start)
    primary_port="$2"
    owner="$3"
    _guildkit_pg_install >&2
    port="$(_guildkit_pg_free_port)"
    folder="$(mktemp -d /tmp/guildkit-pg-replica.XXXXXX)"
    [[ $EUID -eq 0 ]] && chown postgres: "$folder"
    # -R writes standby.signal and primary_conninfo; -X stream brings the WAL of the copy along.
    _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/pg_basebackup" --host=127.0.0.1 --port="$primary_port" \
        --username=postgres --pgdata="$folder/data" -R -X stream --checkpoint=fast >&2
    _guildkit_pg_as_owner bash -c "cat >>'$folder/data/postgresql.conf'" <<EOF

# --- guildkit throwaway replica ---
port = $port
unix_socket_directories = '$folder'
hot_standby = on
EOF
    _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/pg_ctl" --pgdata="$folder/data" \
        --log="$folder/server.log" --wait --silent start >&2 || {
        cat "$folder/server.log" >&2
        _replica_stop "$folder"
        exit 1
    }
    # shellcheck disable=SC2016  # the inner bash expands $1..$3
    setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do sleep 2; done
        "$0" stop "$2"
    ' "$(readlink -f "$0")" "$owner" "$folder" </dev/null >/dev/null 2>&1 &
    echo "$folder"
    echo "$port"
    ;;
stop)
    _guildkit_pg_install >&2
    _replica_stop "$2"
    ;;
*)
    echo "usage: $0 start PRIMARY_PORT OWNER_PID | stop FOLDER" >&2
    exit 2
    ;;
esac
