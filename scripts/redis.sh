#!/usr/bin/env bash
# A throwaway Redis server for the tests (the Celery broker of tests/test_jobs_celery.py).
#
#   source scripts/redis.sh
#   trap guildkit_redis_stop EXIT  # always: the server must never outlive us
#   guildkit_redis_start           # exports GUILDKIT_TEST_REDIS_URL
#
#   ./scripts/redis.sh             run it: start a server, print its URL,
#                                  keep it up until Ctrl-C, then remove it
#
# If GUILDKIT_TEST_REDIS_URL is already set, that server is used and nothing
# is started (or stopped).
#
# The server lives in a fresh temp dir, listens on 127.0.0.1 only, on a free
# port, and persists nothing: fast, and nothing worth keeping.

# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

GUILDKIT_REDIS_SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
GUILDKIT_REDIS_DIR=""   # set only while a server we started is up

_guildkit_redis_install() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        echo "Redis server not found; installing it from Debian."
        guildkit_apt_install redis-server || return 1
        command -v redis-server >/dev/null || {
            echo "ERROR: redis-server still not found after installing it." >&2
            return 1
        }
    fi
}

_guildkit_redis_free_port() {
    # Port 0 makes the kernel pick a free port; a tiny race is fine for tests.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Backstop for a shell that dies without running its EXIT trap (kill -9, a
# harness killing the whole process group): a detached watcher stops the
# server once the shell that started it ($$) is gone.
_guildkit_redis_watchdog() {
    # shellcheck disable=SC2016  # the inner bash expands $1..$3
    setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do sleep 2; done
        source "$2"
        GUILDKIT_REDIS_DIR="$3" guildkit_redis_stop
    ' _ "$$" "$GUILDKIT_REDIS_SCRIPT" "$GUILDKIT_REDIS_DIR" \
        </dev/null >/dev/null 2>&1 &
}

guildkit_redis_start() {
    if [[ -n "${GUILDKIT_TEST_REDIS_URL:-}" ]]; then
        echo "Using the Redis server from GUILDKIT_TEST_REDIS_URL."
        return 0
    fi
    _guildkit_redis_install || return 1

    local port
    port="$(_guildkit_redis_free_port)" || return 1
    GUILDKIT_REDIS_DIR="$(mktemp -d /tmp/guildkit-redis.XXXXXX)" || return 1
    echo "Starting $(redis-server --version | awk '{print $1, $3}') on 127.0.0.1:$port (in $GUILDKIT_REDIS_DIR)"
    # No RDB snapshots and no AOF: a broker for tests keeps nothing on disk.
    redis-server --bind 127.0.0.1 --port "$port" --dir "$GUILDKIT_REDIS_DIR" \
        --save "" --appendonly no --daemonize yes \
        --pidfile "$GUILDKIT_REDIS_DIR/redis.pid" --logfile "$GUILDKIT_REDIS_DIR/redis.log" || {
        echo "ERROR: redis-server did not start." >&2
        return 1
    }
    echo "$port" >"$GUILDKIT_REDIS_DIR/port"
    _guildkit_redis_watchdog
    local tries=0
    until [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; do
        tries=$((tries + 1))
        if ((tries > 100)); then
            echo "ERROR: Redis did not answer within 10 s; its log:" >&2
            cat "$GUILDKIT_REDIS_DIR/redis.log" >&2
            return 1
        fi
        sleep 0.1
    done

    export GUILDKIT_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
    echo "GUILDKIT_TEST_REDIS_URL=$GUILDKIT_TEST_REDIS_URL"
}

# Safe to call any number of times, and when nothing was started.
guildkit_redis_stop() {
    [[ -n "$GUILDKIT_REDIS_DIR" ]] || return 0
    if [[ -f "$GUILDKIT_REDIS_DIR/port" ]]; then
        echo "Stopping Redis ($GUILDKIT_REDIS_DIR)"
        redis-cli -h 127.0.0.1 -p "$(cat "$GUILDKIT_REDIS_DIR/port")" shutdown nosave >/dev/null 2>&1 || true
        # shutdown returns before the process is gone; the pid file goes last.
        local tries=0
        while [[ -f "$GUILDKIT_REDIS_DIR/redis.pid" ]] && kill -0 "$(cat "$GUILDKIT_REDIS_DIR/redis.pid")" 2>/dev/null; do
            tries=$((tries + 1))
            ((tries > 50)) && kill -9 "$(cat "$GUILDKIT_REDIS_DIR/redis.pid")" 2>/dev/null
            sleep 0.1
        done
    fi
    rm -rf "$GUILDKIT_REDIS_DIR"
    GUILDKIT_REDIS_DIR=""
    unset GUILDKIT_TEST_REDIS_URL
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    trap guildkit_redis_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    guildkit_redis_start
    echo "Server is up; press Ctrl-C to stop it."
    while true; do
        sleep 1
    done
fi
