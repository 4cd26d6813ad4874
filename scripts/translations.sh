#!/usr/bin/env bash
# guildkit's translations (src/guildkit/translations, domain "guildkit"; see docs/i18n.md):
#
#   ./scripts/translations.sh extract      write guildkit.pot from the code and templates (babel.cfg)
#   ./scripts/translations.sh update       extract, then merge new and changed strings into every .po
#   ./scripts/translations.sh init xx      start the catalogue of a new locale xx
#   ./scripts/translations.sh compile      write each locale's .mo from its .po (commit both)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DIR=src/guildkit/translations
POT="$DIR/guildkit.pot"
PYBABEL=.venv/bin/pybabel

extract() {
    "$PYBABEL" extract -F babel.cfg -o "$POT" --sort-by-file --no-wrap \
        --project guildkit --copyright-holder "guildkit developers" --msgid-bugs-address "" \
        -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -c Translators: src/guildkit
}

case "${1:-}" in
    extract) extract ;;
    update)
        extract
        "$PYBABEL" update -i "$POT" -d "$DIR" -D guildkit --no-wrap --ignore-obsolete
        ;;
    init)
        [[ -n "${2:-}" ]] || { echo "usage: $0 init <locale>" >&2; exit 2; }
        "$PYBABEL" init -i "$POT" -d "$DIR" -D guildkit -l "$2" --no-wrap
        ;;
    compile) "$PYBABEL" compile -d "$DIR" -D guildkit --statistics ;;
    *)
        sed -n '2,8s/^# \{0,1\}//p' "$0"
        exit 2
        ;;
esac
