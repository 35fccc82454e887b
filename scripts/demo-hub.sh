#!/usr/bin/env bash
# The hub's part of the demo (called by scripts/demo.sh once the portals and the hub are up): registers the two
# national catalogues as harvest sources on the hub, harvests both to the end through the Redis queues, stores
# today's coverage snapshot and prints where to look.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CKAN=$ROOT/.venv/bin/ckan
INI=$ROOT/demo/hub.ini
LOG=$ROOT/.cache/logs/demo-hub.log
HUB=http://127.0.0.1:5002
mkdir -p "$(dirname "$LOG")"
say() { printf '[demo-hub] %s\n' "$*"; }

# A third national catalogue that does not run ckanext-pida: Argentina's Ministry of Justice publishes data.json in
# the OAS regional profile (a real published file, tests/data/real/), served as a static file on :5003.
DATAJSON_PORT=5003
if ! curl -fsS -m 3 "http://127.0.0.1:$DATAJSON_PORT/ar_datos_jus_gob_ar.json" >/dev/null 2>&1; then
  nohup "$ROOT/.venv/bin/python" -m http.server "$DATAJSON_PORT" --bind 127.0.0.1 \
    --directory "$ROOT/tests/data/real" >>"$ROOT/.cache/logs/demo-datajson.log" 2>&1 &
  echo $! >"$ROOT/.cache/demo/datajson.pid"
  for _ in $(seq 1 20); do curl -fsS -m 3 "http://127.0.0.1:$DATAJSON_PORT/" >/dev/null 2>&1 && break; sleep 0.5; done
fi

# The hub's fetch consumers, one per core, as a hub runs them in production (`ckan pida harvest` below drains the
# queues too, beside them). scripts/demo.sh stop stops them.
if ! ls "$ROOT"/.cache/demo/fetch-consumer-*.pid >/dev/null 2>&1; then
  for n in $(seq 1 "$(nproc)"); do
    nohup "$CKAN" -c "$INI" pida fetch-consumer >>"$ROOT/.cache/logs/demo-fetch-consumers.log" 2>&1 &
    echo $! >"$ROOT/.cache/demo/fetch-consumer-$n.pid"
  done
  say "$(nproc) fetch consumers started (ckan pida fetch-consumer)"
fi

# name  country  type  catalogue
SOURCES="catalogo-colombia CO pida http://127.0.0.1:5000/catalog.ttl
catalogo-mexico MX pida http://127.0.0.1:5001/catalog.ttl
catalogo-argentina-justicia AR pida_datajson http://127.0.0.1:$DATAJSON_PORT/ar_datos_jus_gob_ar.json"

while read -r name country type url; do
  "$CKAN" -c "$INI" pida hub-source "$name" "$url" --country "$country" --type "$type" >>"$LOG" 2>&1 ||
    { say "FAILED to register $name (log: $LOG)"; tail -n 20 "$LOG"; exit 1; }
  say "harvesting $url ($country)"
  "$CKAN" -c "$INI" pida harvest "$name" 2>>"$LOG" | sed 's/^/[demo-hub]   /' ||
    { say "FAILED to harvest $name (log: $LOG)"; tail -n 20 "$LOG"; exit 1; }
done <<<"$SOURCES"

# Detection of the priority datasets again on every harvested dataset (datasets a harvest found unchanged were
# imported before the detection terms last changed).
"$CKAN" -c "$INI" pida detect 2>>"$LOG" | sed 's/^/[demo-hub] /'
"$CKAN" -c "$INI" pida coverage-snapshot 2>>"$LOG" | sed 's/^/[demo-hub] /'
"$CKAN" -c "$INI" pida coverage-backfill --days 364 --step 14 2>>"$LOG" | sed 's/^/[demo-hub] /'
say "coverage of the priority datasets: $HUB/pida/coverage  (JSON: $HUB/pida/coverage.json, CSV: $HUB/pida/coverage.csv)"
say "harvest health: $HUB/pida/hub/health"
say "priority datasets detected in the untagged catalogues, to confirm or reject: $HUB/pida/hub/review (sign in as admin)"
