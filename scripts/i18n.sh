#!/usr/bin/env bash
# Translations of ckanext-pida: `scripts/i18n.sh extract` refreshes the template and the es, pt_BR, fr
# catalogues from the code; `scripts/i18n.sh compile` builds the .mo files CKAN loads (they are committed, so a
# pip install needs no build step).
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=${BABEL:-.venv/bin/pybabel}
I18N=ckanext/pida/i18n
DOMAIN=ckanext-pida
case "${1:-}" in
  extract)
    "$BABEL" extract -F babel.cfg --no-location --sort-output -o "$I18N/$DOMAIN.pot" .
    for locale in es pt_BR fr; do
      if [ -f "$I18N/$locale/LC_MESSAGES/$DOMAIN.po" ]; then
        "$BABEL" update -D "$DOMAIN" -i "$I18N/$DOMAIN.pot" -d "$I18N" -l "$locale" --no-fuzzy-matching
      else
        "$BABEL" init -D "$DOMAIN" -i "$I18N/$DOMAIN.pot" -d "$I18N" -l "$locale"
      fi
    done ;;
  compile)
    "$BABEL" compile -D "$DOMAIN" -d "$I18N" --statistics ;;
  *) echo "usage: $0 extract|compile" >&2; exit 2 ;;
esac
