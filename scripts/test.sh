#!/usr/bin/env bash
# Set up everything and run the whole test suite:
#
#   ./scripts/test.sh                    lint, type-check, all tests
#   ./scripts/test.sh -x -k badges       extra arguments go to pytest
#   ./scripts/test.sh tests/test_x.py    named paths replace the default ones
#   GUILDKIT_SKIP_LINT=1 ./scripts/test.sh   skip ruff and mypy
#   GUILDKIT_TEST_WORKERS=1 ./scripts/test.sh  one pytest process (default: one per core, at most 2)
#
# Steps: .venv (scripts/bootstrap.sh), Chromium (scripts/chromium.sh),
# the page checkers axe-core and vnu (scripts/webcheck.sh),
# ruff, import-linter and mypy, a throwaway PostgreSQL (scripts/postgres.sh) and Redis
# (scripts/redis.sh, the Celery broker), then pytest over tests/ and plugins/*/tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
source scripts/chromium.sh
source scripts/webcheck.sh
source scripts/postgres.sh
source scripts/redis.sh

section() {
    printf '\n==== %s ====\n' "$*"
}

fail() {
    section "FAILED: $*"
    exit 1
}

# Stop the servers however we leave: success, failure or Ctrl-C.
trap 'guildkit_pg_stop; guildkit_redis_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

section "Bootstrap (.venv)"
guildkit_bootstrap

section "Chromium"
guildkit_ensure_chromium

section "Page checkers (axe-core, vnu)"
guildkit_ensure_webcheck

if [[ "${GUILDKIT_SKIP_LINT:-0}" == 1 ]]; then
    section "Lint skipped (GUILDKIT_SKIP_LINT=1)"
else
    section "Lint: ruff"
    lint_paths=()
    for path in src tests plugins bench example_app; do
        [[ -e "$path" ]] && lint_paths+=("$path")
    done
    .venv/bin/ruff check "${lint_paths[@]}" || fail "ruff (GUILDKIT_SKIP_LINT=1 skips lint)"

    section "Layers: import-linter"
    # The contracts in pyproject.toml: the core imports no feature, features are independent, …
    .venv/bin/lint-imports --no-cache || fail "import-linter (see docs/architecture.md; GUILDKIT_SKIP_LINT=1 skips lint)"

    section "Types: mypy"
    # Which packages to check comes from [tool.mypy] in pyproject.toml.
    .venv/bin/mypy || fail "mypy (GUILDKIT_SKIP_LINT=1 skips lint)"
    # Each plugin package is checked with its own settings, from its own folder.
    for plugin in plugins/*/; do
        [[ -f "$plugin/pyproject.toml" && -d "$plugin/src" ]] || continue
        (cd "$plugin" && ../../.venv/bin/mypy) || fail "mypy in $plugin"
    done
fi

section "PostgreSQL"
guildkit_pg_start

section "Redis"
guildkit_redis_start

# Default test dirs, unless the arguments already name a path to test.
test_paths=()
user_named_path=0
for arg in "$@"; do
    # "tests/x.py::test_y" names the file tests/x.py.
    [[ "$arg" != -* && -e "${arg%%::*}" ]] && user_named_path=1
done
if [[ $user_named_path == 0 ]]; then
    [[ -d tests ]] && test_paths+=(tests)
    for dir in plugins/*/tests; do
        [[ -d "$dir" ]] && test_paths+=("$dir")
    done
    if [[ ${#test_paths[@]} == 0 ]]; then
        section "No test directories (tests/, plugins/*/tests) yet; nothing to run"
        exit 0
    fi
fi

# pytest-xdist: a test file runs whole in one process (its module fixtures are built once); every
# test makes its own database, schema, queue and ports, so two processes never share state.
workers="${GUILDKIT_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
(( workers > 2 )) && [[ -z "${GUILDKIT_TEST_WORKERS:-}" ]] && workers=2
parallel=()
(( workers > 1 )) && parallel=(-n "$workers" --dist loadfile)

section "Tests: pytest ${parallel[*]} ${test_paths[*]} $*"
status=0
.venv/bin/python -m pytest --durations=30 "${parallel[@]}" "${test_paths[@]}" "$@" || status=$?

if [[ $status == 5 ]]; then
    # Exit code 5 means "no tests collected": fine while the suite is empty.
    section "pytest collected no tests; treating that as success"
    exit 0
fi
if [[ $status == 0 ]]; then
    section "All checks passed"
else
    section "pytest failed (exit code $status)"
fi
exit "$status"
