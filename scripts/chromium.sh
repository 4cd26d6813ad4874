#!/usr/bin/env bash
# Make sure Debian's Chromium is installed, for browser tests and screenshots.
#
#   ./scripts/chromium.sh           run it: install Chromium if missing
#   source scripts/chromium.sh      source it: defines guildkit_ensure_chromium
#
# The browser only ever comes from Debian's packages: this machine cannot
# download browser builds (so never `playwright install`).

# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

GUILDKIT_CHROMIUM_BIN=/usr/bin/chromium

guildkit_ensure_chromium() {
    if [[ ! -x "$GUILDKIT_CHROMIUM_BIN" ]]; then
        echo "Chromium not found at $GUILDKIT_CHROMIUM_BIN; installing it from Debian."
        # fonts-dejavu-core: without any font, pages render as empty boxes.
        guildkit_apt_install chromium fonts-dejavu-core || return 1
    fi
    if [[ ! -x "$GUILDKIT_CHROMIUM_BIN" ]]; then
        echo "ERROR: $GUILDKIT_CHROMIUM_BIN still missing after apt-get install." >&2
        return 1
    fi
    # Tests can read the browser's path from here instead of guessing.
    export GUILDKIT_CHROMIUM="$GUILDKIT_CHROMIUM_BIN"
    echo "Chromium: $("$GUILDKIT_CHROMIUM_BIN" --version 2>/dev/null || echo "$GUILDKIT_CHROMIUM_BIN")"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    guildkit_ensure_chromium
fi
