#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests.
#
#   source scripts/postgres.sh
#   trap guildkit_pg_stop EXIT     # always: the server must never outlive us
#   guildkit_pg_start              # exports GUILDKIT_TEST_POSTGRES_URL
#
#   ./scripts/postgres.sh          run it: start a server, print its URL,
#                                  keep it up until Ctrl-C, then remove it
#
# If GUILDKIT_TEST_POSTGRES_URL is already set, that server is used and
# nothing is started (or stopped).
#
# The server lives in a fresh temp dir, listens on 127.0.0.1 only, on a free
# port, with trust auth and no fsync: fast, and nothing worth keeping.

# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

GUILDKIT_PG_SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
GUILDKIT_PG_DB=guildkit_test
GUILDKIT_PG_DIR=""   # set only while a server we started is up
GUILDKIT_PG_BIN=""

# Print the directory holding initdb/pg_ctl, or fail.
_guildkit_pg_find_bin() {
    local found
    found="$(command -v initdb || true)"
    if [[ -z "$found" ]]; then
        # Debian keeps the server binaries off PATH; take the newest version.
        found="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
    fi
    [[ -x "$found" ]] || return 1
    # Resolve symlinks (e.g. /usr/local/bin/initdb) to the real bin dir.
    dirname "$(readlink -f "$found")"
}

# Run a server command as the OS user that owns the data dir. PostgreSQL
# refuses to run as root, so root hands over to `postgres`.
_guildkit_pg_as_owner() {
    if [[ $EUID -eq 0 ]]; then
        # cd /: the postgres user may not be allowed into our working dir.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

_guildkit_pg_free_port() {
    # Port 0 makes the kernel pick a free port; a tiny race is fine for tests.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_guildkit_pg_install() {
    if ! GUILDKIT_PG_BIN="$(_guildkit_pg_find_bin)"; then
        echo "PostgreSQL server not found; installing it from Debian."
        guildkit_apt_install postgresql || return 1
        GUILDKIT_PG_BIN="$(_guildkit_pg_find_bin)" || {
            echo "ERROR: initdb still not found after installing postgresql." >&2
            return 1
        }
    fi
    # The Debian package creates this user; a bare install may not have.
    if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql \
            --shell /bin/bash postgres || return 1
    fi
}

# Backstop for a shell that dies without running its EXIT trap (kill -9, a
# harness killing the whole process group): a detached watcher stops the
# server once the shell that started it ($$) is gone. Normally the trap has
# already removed the data dir by then, and the watcher just exits.
_guildkit_pg_watchdog() {
    # shellcheck disable=SC2016  # the inner bash expands $1..$4
    setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do sleep 2; done
        source "$2"
        GUILDKIT_PG_BIN="$3" GUILDKIT_PG_DIR="$4" guildkit_pg_stop
    ' _ "$$" "$GUILDKIT_PG_SCRIPT" "$GUILDKIT_PG_BIN" "$GUILDKIT_PG_DIR" \
        </dev/null >/dev/null 2>&1 &
}

guildkit_pg_start() {
    if [[ -n "${GUILDKIT_TEST_POSTGRES_URL:-}" ]]; then
        echo "Using the PostgreSQL server from GUILDKIT_TEST_POSTGRES_URL."
        return 0
    fi
    _guildkit_pg_install || return 1

    local port
    port="$(_guildkit_pg_free_port)" || return 1
    # Always under /tmp: a TMPDIR inside /root would be closed to `postgres`.
    GUILDKIT_PG_DIR="$(mktemp -d /tmp/guildkit-pg.XXXXXX)" || return 1
    local data="$GUILDKIT_PG_DIR/data"
    [[ $EUID -eq 0 ]] && chown postgres: "$GUILDKIT_PG_DIR"

    echo "Starting PostgreSQL $("$GUILDKIT_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $GUILDKIT_PG_DIR)"
    # --no-locale: fresh machines often have no locales generated.
    _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/initdb" --pgdata="$data" \
        --username=postgres --auth=trust --encoding=UTF8 --no-locale \
        >"$GUILDKIT_PG_DIR/initdb.log" 2>&1 || {
        cat "$GUILDKIT_PG_DIR/initdb.log" >&2
        return 1
    }
    # Appending keeps the file owned by the postgres user.
    cat >>"$data/postgresql.conf" <<EOF

# --- guildkit throwaway test server ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$GUILDKIT_PG_DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/pg_ctl" --pgdata="$data" \
        --log="$GUILDKIT_PG_DIR/server.log" --wait --silent start || {
        echo "ERROR: PostgreSQL did not start; its log:" >&2
        cat "$GUILDKIT_PG_DIR/server.log" >&2
        return 1
    }
    _guildkit_pg_watchdog
    "$GUILDKIT_PG_BIN/createdb" --host=127.0.0.1 --port="$port" \
        --username=postgres "$GUILDKIT_PG_DB" || return 1

    export GUILDKIT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/$GUILDKIT_PG_DB"
    echo "GUILDKIT_TEST_POSTGRES_URL=$GUILDKIT_TEST_POSTGRES_URL"
}

# Safe to call any number of times, and when nothing was started.
guildkit_pg_stop() {
    [[ -n "$GUILDKIT_PG_DIR" ]] || return 0
    if [[ -f "$GUILDKIT_PG_DIR/data/postmaster.pid" ]]; then
        echo "Stopping PostgreSQL ($GUILDKIT_PG_DIR)"
        _guildkit_pg_as_owner "$GUILDKIT_PG_BIN/pg_ctl" --pgdata="$GUILDKIT_PG_DIR/data" \
            --mode=fast --wait --silent stop || true
    fi
    rm -rf "$GUILDKIT_PG_DIR"
    GUILDKIT_PG_DIR=""
    unset GUILDKIT_TEST_POSTGRES_URL
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    trap guildkit_pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    guildkit_pg_start
    echo "Server is up; press Ctrl-C to stop it and delete its data."
    while true; do
        sleep 1
    done
fi
