#!/usr/bin/env bash
# Starts, stops and reports the services CKAN needs, all real and on loopback:
#   PostgreSQL (Debian's cluster 15/main, port 5432), Redis (port 6379), Apache Solr 9 (port 8983, core "ckan").
# Usage: scripts/services.sh start|stop|status, or `core NAME PYTHON` (a Solr core with the schema of that Python's
# ckan) and `db NAME` (a database owned by ckan_default), for testing against another CKAN version.
# Idempotent: a service that already answers is left alone. Each start waits until its service answers;
# on failure it names the service and its log file and exits non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PIDA_CACHE:-$ROOT/.cache}
LOGS=$CACHE/logs
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
SOLR_PORT=${SOLR_PORT:-8983}
REDIS_PORT=${REDIS_PORT:-6379}
PG_VERSION=${PG_VERSION:-15}
SOLR_HOME=$CACHE/solr/home
SOLR_LIB=$CACHE/solr/lib
# Extra Solr cores (space separated) beside "ckan": the demo's second portal and hub use their own.
SOLR_CORES=${SOLR_CORES:-"ckan ckan_test ckan_portal2 ckan_hub ckan_remote"}
mkdir -p "$LOGS"

say() { printf '[services] %s\n' "$*"; }
fail() { say "FAILED: $1 (log: $2)"; tail -n 30 "$2" 2>/dev/null || true; exit 1; }

wait_for() {  # wait_for NAME LOG SECONDS COMMAND...
  local name=$1 log=$2 secs=$3; shift 3
  for _ in $(seq 1 $((secs * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  fail "$name did not answer within ${secs}s" "$log"
}

apt_install() {  # installs the Debian packages that are missing
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
  apt-get install -y -qq "${missing[@]}" >>"$LOGS/apt.log" 2>&1 || fail "apt-get install ${missing[*]}" "$LOGS/apt.log"
}

# --- PostgreSQL ------------------------------------------------------------------------------
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
start_postgres() {
  apt_install "postgresql-$PG_VERSION" postgresql-client
  local log=/var/log/postgresql/postgresql-$PG_VERSION-main.log
  if ! pg_up; then
    pg_lsclusters -h | grep -q "^$PG_VERSION main" || pg_createcluster "$PG_VERSION" main >"$LOGS/pg.log" 2>&1
    pg_ctlcluster "$PG_VERSION" main start >>"$LOGS/pg.log" 2>&1 || fail "PostgreSQL start" "$log"
  fi
  wait_for PostgreSQL "$log" 60 pg_up
  # Roles and databases: ckan_default owns the portal's, the test and the demo databases.
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='ckan_default'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE ckan_default LOGIN PASSWORD 'pass'\"" >/dev/null
  for db in ckan_default ckan_test ckan_portal2 ckan_hub ckan_remote; do
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 ||
      su postgres -c "createdb -O ckan_default -E utf-8 $db"
  done
  say "PostgreSQL up on 127.0.0.1:5432"
}

# --- Redis -----------------------------------------------------------------------------------
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
start_redis() {
  apt_install redis-server
  mkdir -p "$CACHE/redis"
  if ! redis_up; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$CACHE/redis" \
      --logfile "$LOGS/redis.log" --pidfile "$CACHE/redis/redis.pid" --save "" --appendonly no \
      || fail "Redis start" "$LOGS/redis.log"
  fi
  wait_for Redis "$LOGS/redis.log" 30 redis_up
  say "Redis up on 127.0.0.1:$REDIS_PORT"
}

# --- Solr ------------------------------------------------------------------------------------
solr_up() { curl -fsS -m 5 "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping?wt=json" 2>/dev/null | grep -q "\"OK\""; }
# A core's schema.xml: CKAN's own (of the CKAN that PYTHON runs) with the languages ckanext-pida adds
# (ckanext/pida/solr_schema.py, standard library only). Returns 0 if it changed.
write_schema() {  # write_schema CORE_DIR PYTHON
  local dir=$1 python=$2 schema new
  schema=$("$python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"))')
  new=$(mktemp)
  "$python" "$ROOT/ckanext/pida/solr_schema.py" "$schema" >"$new" || fail "PIDA Solr schema" /dev/null
  mkdir -p "$dir/conf"
  if cmp -s "$new" "$dir/conf/schema.xml"; then rm -f "$new"; return 1; fi
  mv "$new" "$dir/conf/schema.xml"
}
solr_home() {  # lays out the Solr home: solr.xml and one folder per core with the PIDA schema.xml
  mkdir -p "$SOLR_HOME"
  cp "$ROOT/scripts/solr/solr.xml" "$SOLR_HOME/solr.xml"
  for core in $SOLR_CORES; do
    mkdir -p "$SOLR_HOME/$core/conf"
    echo "name=$core" >"$SOLR_HOME/$core/core.properties"
    write_schema "$SOLR_HOME/$core" "$PYTHON" || true
    cp "$ROOT/scripts/solr/conf/solrconfig.xml" "$SOLR_HOME/$core/conf/solrconfig.xml"
    touch "$SOLR_HOME/$core/conf/protwords.txt" "$SOLR_HOME/$core/conf/synonyms.txt"
  done
}
start_solr() {
  apt_install curl
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  if solr_up; then
    # A node started earlier may lack a core added to SOLR_CORES since: create the missing ones.
    # A core whose schema is older than ckanext-pida's is given the new one and reloaded.
    for core in $SOLR_CORES; do
      if curl -fsS -m 30 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=STATUS&core=$core&wt=json" |
          grep -q '"instanceDir"'; then
        if write_schema "$SOLR_HOME/$core" "$PYTHON"; then
          curl -fsS -m 60 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core" >/dev/null ||
            fail "Solr core $core reload" "$LOGS/solr.log"
          say "Solr core $core: schema updated"
        fi
      else
        add_core "$core" "$PYTHON"
      fi
    done
    say "Solr up on 127.0.0.1:$SOLR_PORT"; return 0
  fi
  if [ ! -f "$SOLR_LIB/.complete" ]; then
    command -v mvn >/dev/null || apt_install maven
    say "fetching Apache Solr jars from Maven Central into $SOLR_LIB"
    rm -rf "$SOLR_LIB"
    (cd "$ROOT/scripts/solr" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$SOLR_LIB") >"$LOGS/solr-maven.log" 2>&1 || fail "Maven fetch of Solr" "$LOGS/solr-maven.log"
    touch "$SOLR_LIB/.complete"
  fi
  solr_home
  nohup java -Xms256m -Xmx1g -Dsolr.log.dir="$LOGS" -Dlog4j2.level=WARN \
    -cp "$SOLR_LIB/*" "$ROOT/scripts/solr/SolrNode.java" "$SOLR_HOME" "$SOLR_PORT" \
    >"$LOGS/solr.log" 2>&1 &
  echo $! >"$CACHE/solr/solr.pid"
  wait_for Solr "$LOGS/solr.log" 120 solr_up
  say "Solr up on 127.0.0.1:$SOLR_PORT (cores: $SOLR_CORES)"
}

# A core for another CKAN version (its own schema.xml), created at run time through the CoreAdmin API.
add_core() {  # add_core NAME PYTHON
  local core=$1 python=$2
  mkdir -p "$SOLR_HOME/$core/conf"
  write_schema "$SOLR_HOME/$core" "$python" || true
  cp "$ROOT/scripts/solr/conf/solrconfig.xml" "$SOLR_HOME/$core/conf/solrconfig.xml"
  touch "$SOLR_HOME/$core/conf/protwords.txt" "$SOLR_HOME/$core/conf/synonyms.txt"
  local action=CREATE
  curl -fsS -m 30 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=STATUS&core=$core&wt=json" | grep -q '"instanceDir"' && action=RELOAD
  if [ $action = CREATE ]; then
    curl -fsS -m 60 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&instanceDir=$core" >/dev/null
  else
    curl -fsS -m 60 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core" >/dev/null
  fi || fail "Solr core $core" "$LOGS/solr.log"
  say "Solr core $core ready (schema of $("$python" -c 'import ckan; print("CKAN", ckan.__version__)'))"
}

add_db() {  # add_db NAME
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$1'\"" | grep -q 1 ||
    su postgres -c "createdb -O ckan_default -E utf-8 $1"
  say "database $1 ready"
}

stop_all() {
  if [ -f "$CACHE/solr/solr.pid" ]; then kill "$(cat "$CACHE/solr/solr.pid")" 2>/dev/null || true; rm -f "$CACHE/solr/solr.pid"; fi
  # A node started from another checkout (its pid file elsewhere) would still hold the port.
  pkill -f "scripts/solr/SolrNode.java" 2>/dev/null || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  pg_ctlcluster "$PG_VERSION" main stop >/dev/null 2>&1 || true
  say "stopped"
}

status() {
  pg_up && say "PostgreSQL: up" || say "PostgreSQL: down"
  redis_up && say "Redis: up" || say "Redis: down"
  solr_up && say "Solr: up" || say "Solr: down"
}

# --- the browser tests' tools -----------------------------------------------------------------
# Debian's Chromium and its driver (Selenium drives them; no browser is downloaded), and axe-core from npm
# (package.json, pinned in package-lock.json) for the accessibility checks.
browser_tools() {
  apt_install chromium chromium-driver
  command -v npm >/dev/null || apt_install npm
  if [ ! -f "$ROOT/node_modules/axe-core/axe.min.js" ]; then
    say "installing axe-core (npm)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --silent) >"$LOGS/npm.log" 2>&1 || fail "npm ci" "$LOGS/npm.log"
  fi
  say "browser tools: $(chromium --version 2>/dev/null | head -1), axe-core $(node -p "require('$ROOT/node_modules/axe-core/package.json').version")"
}

case "${1:-}" in
  start) start_postgres; start_redis; start_solr ;;
  browser) browser_tools ;;
  core) add_core "$2" "$3" ;;
  db) add_db "$2" ;;
  stop) stop_all ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|core NAME PYTHON|db NAME" >&2; exit 2 ;;
esac
