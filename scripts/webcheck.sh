#!/usr/bin/env bash
# Install the page checkers the tests run over every page: axe-core (accessibility, injected into
# Chromium by tests/browser/test_axe.py) and vnu-jar (the Nu Html Checker, run with Java by
# tests/test_html_valid.py).
#
#   ./scripts/webcheck.sh           run it: install them if missing
#   source scripts/webcheck.sh      source it: defines guildkit_ensure_webcheck
#
# Both come from the npm registry, pinned, into .tmp/npm (git-ignored); Java from Debian.
# Idempotent: npm runs only when .tmp/npm/.guildkit-stamp does not name these pins.

# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

GUILDKIT_WEBCHECK_PACKAGES=(axe-core@4.14.1 vnu-jar@26.9.27)
GUILDKIT_WEBCHECK_DIR="$GUILDKIT_ROOT/.tmp/npm"

guildkit_ensure_webcheck() {
    local dir="$GUILDKIT_WEBCHECK_DIR" stamp="$GUILDKIT_WEBCHECK_DIR/.guildkit-stamp"
    local want="${GUILDKIT_WEBCHECK_PACKAGES[*]}"
    if ! command -v java >/dev/null; then
        echo "java not found; installing Debian's default-jre-headless (vnu needs it)."
        guildkit_apt_install default-jre-headless || return 1
    fi
    if ! command -v npm >/dev/null; then
        echo "npm not found; installing Debian's npm (it fetches axe-core and vnu-jar)."
        guildkit_apt_install npm || return 1
    fi
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        echo "Installing $want into $dir ..."
        mkdir -p "$dir" || return 1
        # --prefix installs into $dir/node_modules without a package.json in the repository.
        npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
            "${GUILDKIT_WEBCHECK_PACKAGES[@]}" || return 1
        # Written only after a successful install: a failed run retries next time.
        echo "$want" >"$stamp"
    fi
    # Tests read the files from here (and fall back to this same path).
    export GUILDKIT_AXE_JS="$dir/node_modules/axe-core/axe.min.js"
    export GUILDKIT_VNU_JAR="$dir/node_modules/vnu-jar/build/dist/vnu.jar"
    local file
    for file in "$GUILDKIT_AXE_JS" "$GUILDKIT_VNU_JAR"; do
        if [[ ! -f "$file" ]]; then
            echo "ERROR: $file missing after npm install (remove $stamp to reinstall)." >&2
            return 1
        fi
    done
    echo "Page checkers: axe-core $(node -p "require('$dir/node_modules/axe-core/package.json').version" 2>/dev/null), vnu $(java -jar "$GUILDKIT_VNU_JAR" --version 2>/dev/null)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    guildkit_ensure_webcheck
fi
