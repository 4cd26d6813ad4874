#!/usr/bin/env bash
# Start the example app on http://127.0.0.1:${PORT:-5000}/
#
#   ./scripts/demo.sh            seed the demo database once, then serve
#   ./scripts/demo.sh --reset    delete the demo database and seed it afresh
#   PORT=8080 ./scripts/demo.sh  serve on another port
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

# Where example_app keeps its SQLite database (Flask's instance folder).
DEMO_DB=instance/example.db
PORT="${PORT:-5000}"

reset=0
for arg in "$@"; do
    case "$arg" in
        --reset) reset=1 ;;
        -h | --help)
            sed -n '2,6s/^# \{0,1\}//p' "$0"
            exit 0
            ;;
        *)
            echo "Unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

if [[ ! -f example_app/__init__.py ]]; then
    echo "The demo is not built yet: example_app/__init__.py does not exist." >&2
    exit 1
fi

# Only guildkit, example_app's extras and its plugins: a .venv already set up
# by ./scripts/test.sh (the dev profile) has them all and is used as it is.
guildkit_bootstrap demo

if [[ $reset == 1 ]]; then
    echo "Deleting $DEMO_DB (--reset)"
    rm -f "$DEMO_DB"
fi
if [[ ! -f "$DEMO_DB" ]]; then
    echo "Seeding the demo database ($DEMO_DB)"
    # A half-seeded database would be reused next time, so drop it on failure.
    .venv/bin/flask --app example_app seed || {
        rm -f "$DEMO_DB"
        exit 1
    }
else
    echo "Using the existing demo database $DEMO_DB (--reset starts afresh)"
    # A database seeded by an older version lacks newer tables and columns: init-db adds them.
    .venv/bin/flask --app example_app init-db
fi

echo
echo "Demo running at http://127.0.0.1:$PORT/  (Ctrl-C to stop)"
echo
exec .venv/bin/flask --app example_app run --host 127.0.0.1 --port "$PORT"
