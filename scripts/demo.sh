#!/usr/bin/env bash
# The demo: two national portals (Colombia on :5000, Mexico on :5001) and the regional hub (:5002), on loopback.
# Usage: scripts/demo.sh start|stop|status   (the services must be up: scripts/services.sh start)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CKAN=$ROOT/.venv/bin/ckan
RUN=$ROOT/.cache/demo
LOGS=$ROOT/.cache/logs
SITES=${DEMO_SITES:-"portal-co:5000 portal-mx:5001 hub:5002"}
ADMIN_PASSWORD=${PIDA_DEMO_PASSWORD:-pida-demo-2026}
mkdir -p "$RUN" "$LOGS"

say() { printf '[demo] %s\n' "$*"; }
up() { curl -fsS -m 5 "http://127.0.0.1:$1/api/3/action/status_show" >/dev/null 2>&1; }

init_site() {  # init_site NAME: database tables, PIDA vocabulary, sysadmin, sample data
  local site=$1 ini=$ROOT/demo/$1.ini
  "$CKAN" -c "$ini" db upgrade >>"$LOGS/demo-$site.log" 2>&1
  "$CKAN" -c "$ini" db upgrade -p harvest >>"$LOGS/demo-$site.log" 2>&1 || true
  "$CKAN" -c "$ini" db upgrade -p pida >>"$LOGS/demo-$site.log" 2>&1 || true
  "$CKAN" -c "$ini" db upgrade -p activity >>"$LOGS/demo-$site.log" 2>&1 || true
  "$CKAN" -c "$ini" user show admin 2>/dev/null | grep -q "name=admin" ||
    "$CKAN" -c "$ini" user add admin email=admin@example.org password="$ADMIN_PASSWORD" >>"$LOGS/demo-$site.log" 2>&1
  "$CKAN" -c "$ini" sysadmin add admin >>"$LOGS/demo-$site.log" 2>&1 || true
  if "$CKAN" -c "$ini" pida --help >/dev/null 2>&1; then
    "$CKAN" -c "$ini" pida init >>"$LOGS/demo-$site.log" 2>&1
    if [ -d "$ROOT/demo/samples/$site" ]; then
      "$CKAN" -c "$ini" pida load-samples "$ROOT/demo/samples/$site" >>"$LOGS/demo-$site.log" 2>&1
      # Today's coverage, and the past year's rebuilt from the datasets' release and update dates (the progress chart).
      "$CKAN" -c "$ini" pida coverage-snapshot >>"$LOGS/demo-$site.log" 2>&1
      "$CKAN" -c "$ini" pida coverage-backfill --days 364 --step 14 >>"$LOGS/demo-$site.log" 2>&1
    fi
  fi
  return 0
}

serve_site() {  # serve_site NAME PORT
  local site=$1 port=$2
  if up "$port"; then say "$site already up on http://127.0.0.1:$port"; return 0; fi
  nohup "$CKAN" -c "$ROOT/demo/$site.ini" run -H 127.0.0.1 -p "$port" --disable-reloader \
    >>"$LOGS/demo-$site.log" 2>&1 &
  echo $! >"$RUN/$site.pid"
  for _ in $(seq 1 120); do up "$port" && break; sleep 0.5; done
  up "$port" || { say "FAILED: $site did not answer on :$port (log: $LOGS/demo-$site.log)"; tail -n 30 "$LOGS/demo-$site.log"; exit 1; }
  say "$site up on http://127.0.0.1:$port"
  # CKAN's background jobs: here, serialising changed datasets' catalogue parts (ckanext.pida.catalog.warm_formats)
  if [ ! -f "$RUN/$site-worker.pid" ] || ! kill -0 "$(cat "$RUN/$site-worker.pid")" 2>/dev/null; then
    nohup "$CKAN" -c "$ROOT/demo/$site.ini" jobs worker >>"$LOGS/demo-$site-jobs.log" 2>&1 &
    echo $! >"$RUN/$site-worker.pid"
  fi
}

start() {
  local began=$SECONDS
  for entry in $SITES; do
    site=${entry%%:*}; port=${entry##*:}
    say "initialising $site"; init_site "$site"
    serve_site "$site" "$port"
  done
  [ -x "$ROOT/scripts/demo-hub.sh" ] && "$ROOT/scripts/demo-hub.sh"
  say "ready in $((SECONDS - began))s. Sign in as admin / $ADMIN_PASSWORD on any site. Logs: $LOGS/demo-*.log"
}

stop() {
  for f in "$RUN"/*.pid; do [ -f "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }; done
  say "stopped"
}

status() {
  for entry in $SITES; do site=${entry%%:*}; port=${entry##*:}
    up "$port" && say "$site: up on http://127.0.0.1:$port" || say "$site: down"; done
}

case "${1:-}" in start) start ;; stop) stop ;; status) status ;; *) echo "usage: $0 start|stop|status" >&2; exit 2 ;; esac
