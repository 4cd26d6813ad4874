#!/usr/bin/env bash
# Set up the project's virtualenv (.venv) with guildkit in editable mode, for
# one of two profiles:
#   dev   guildkit with the `dev` extra (test, lint and type-check tools) and
#         every plugin in plugins/: what ./scripts/test.sh needs (the default)
#   demo  guildkit with the `example` extra and the plugins example_app uses:
#         what ./scripts/demo.sh needs, in a fraction of dev's install time
#
#   ./scripts/bootstrap.sh [dev|demo]  run it: set up .venv now
#   source scripts/bootstrap.sh        source it: only defines the functions
#                                      (guildkit_bootstrap, guildkit_apt_install)
#
# Idempotent: the install step is skipped while .venv/.guildkit-stamp records
# the same hash of pyproject.toml + plugins/*/pyproject.toml and a profile
# that covers the one asked for (dev covers demo).
# Env: PYTHON (default python3) picks the interpreter for a new .venv.

GUILDKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The plugins example_app relies on (its reputation comes from Stack Exchange's
# rules, found through the plugin's entry point); the demo profile installs only these.
GUILDKIT_DEMO_PLUGINS=(guildkit-stackexchange)

# apt-get install with the flags every script here needs. Another apt run
# (e.g. an unattended upgrade) may hold the lock, so wait for it instead of
# failing. apt's long output goes to a log that is shown only on failure.
guildkit_apt_install() {
    local sudo=() log
    if [[ $EUID -ne 0 ]]; then
        sudo=(sudo)
    fi
    log="$(mktemp)"
    echo "apt-get install $* (log: $log)"
    # A failed update (say, one unreachable extra repository) still leaves
    # usable package lists, so only the install decides.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 update >>"$log" 2>&1 ||
        echo "WARNING: apt-get update failed; trying the install anyway." >&2
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "$@" >>"$log" 2>&1; then
        cat "$log" >&2
        echo "ERROR: apt-get install $* failed (log above)." >&2
        return 1
    fi
    rm -f "$log"
}

# Print the hash of the files that decide what gets installed.
# Call it from the repo root: the hashed listing uses relative paths.
_guildkit_deps_hash() {
    local files=(pyproject.toml) f
    for f in plugins/*/pyproject.toml; do
        [[ -f "$f" ]] && files+=("$f")
    done
    # sha256sum prints "hash  path" per file, so adding or renaming a plugin
    # changes the result too.
    sha256sum "${files[@]}" | sha256sum | cut -d' ' -f1
}

# guildkit_bootstrap [dev|demo] (default dev). Runs in a subshell ( ... ) so
# `set -e` and `cd` never leak into a shell that sourced this file.
guildkit_bootstrap() (
    set -euo pipefail
    cd "$GUILDKIT_ROOT"
    local profile="${1:-dev}"
    case "$profile" in
        dev | demo) ;;
        *)
            echo "guildkit_bootstrap: unknown profile '$profile' (dev or demo)" >&2
            return 2
            ;;
    esac
    local venv=.venv
    local stamp="$venv/.guildkit-stamp"
    local python="${PYTHON:-python3}"

    # A .venv whose interpreter is gone (half-created, or its Python was
    # removed) is rebuilt rather than patched.
    if [[ -d "$venv" ]] && ! "$venv/bin/python" -c '' 2>/dev/null; then
        echo "Existing $venv is broken; recreating it."
        rm -rf "$venv"
    fi
    if [[ ! -d "$venv" ]]; then
        # Debian ships venv's pip bootstrap in a separate package.
        if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
            guildkit_apt_install python3-venv
        fi
        echo "Creating $venv with $("$python" --version)"
        "$python" -m venv "$venv"
    fi

    # The stamp is "<profile> <hash>". A stamp of a bare hash predates profiles,
    # when every install was dev.
    local want have_profile="" have_hash=""
    want="$(_guildkit_deps_hash)"
    if [[ -f "$stamp" ]]; then
        read -r have_profile have_hash <"$stamp" || true
        if [[ -z "$have_hash" ]]; then
            have_hash="$have_profile"
            have_profile=dev
        fi
    fi
    if [[ "$want" == "$have_hash" && ("$have_profile" == "$profile" || "$have_profile" == dev) ]]; then
        echo "Dependencies up to date ($venv, $have_profile profile)."
        return 0
    fi

    local pip=("$venv/bin/python" -m pip -q --disable-pip-version-check --no-input)
    local targets=() plugins=() dir
    if [[ "$profile" == dev ]]; then
        targets=(-e '.[dev]')
        for dir in plugins/*/; do
            if [[ -f "$dir/pyproject.toml" ]]; then
                targets+=(-e "$dir")
                plugins+=("$(basename "$dir")")
            fi
        done
    else
        targets=(-e '.[example]')
        for dir in "${GUILDKIT_DEMO_PLUGINS[@]}"; do
            targets+=(-e "plugins/$dir")
            plugins+=("$dir")
        done
    fi
    echo "Installing guildkit for $profile (+ ${#plugins[@]} plugins: ${plugins[*]:-none}) into $venv ..."
    # The demo keeps the venv's own pip (Python 3.11's is 22.3 or later, which installs editable
    # pyproject projects): upgrading it first costs a few seconds of a fresh demo's start.
    if [[ "$profile" == dev ]]; then
        "${pip[@]}" install --upgrade pip
    fi
    # One pip call, so the resolver sees guildkit and the plugins together.
    "${pip[@]}" install "${targets[@]}"
    # Written only after a successful install: a failed run retries next time.
    echo "$profile $want" >"$stamp"
    echo "Dependencies installed ($profile profile)."
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    guildkit_bootstrap "$@"
fi
