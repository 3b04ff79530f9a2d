# Shared by bin/run and bin/test: install what is missing, start private services.
# Everything the project starts lives under var/ and is stopped by stop_services.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PG_DIR="$VAR/postgres"
REDIS_DIR="$VAR/redis"
STARTED_PIDS=()

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }

APT_UPDATED=0
apt_install() {
  # apt_install PACKAGE... : install Debian packages that are missing.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    warn "missing system packages: ${missing[*]} (run as root or install them)"; return 1
  fi
  local SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  log "installing system packages: ${missing[*]}"
  if [ $APT_UPDATED = 0 ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python() {
  local stamp="$VENV/.installed"
  if [ ! -x "$PY" ]; then
    log "creating virtual environment in .venv"
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
  fi
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    log "installing Python packages (pyproject.toml)"
    mkdir -p "$VAR"
    if ! "$PY" -m pip install -q --disable-pip-version-check -e "$ROOT[dev]" \
        >"$VAR/pip-install.log" 2>&1; then
      cat "$VAR/pip-install.log" >&2; return 1
    fi
    "$PY" -c "import django, django_tenants, weasyprint, ortools" >/dev/null
    touch "$stamp"
  fi
}

ensure_system_libs() {
  # WeasyPrint's libraries and fonts; pdftoppm for looking at PDFs.
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    poppler-utils || warn "PDF libraries missing; PDF rendering will not work"
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_postgres() {
  # Use DATABASE_URL when given; otherwise a private server under var/postgres.
  if [ -n "${DATABASE_URL:-}" ]; then
    log "database: DATABASE_URL"
    return 0
  fi
  local bindir
  bindir="$(pg_bindir)" || { apt_install postgresql; bindir="$(pg_bindir)"; }
  mkdir -p "$PG_DIR"
  # PostgreSQL refuses to run as root: the postgres user owns the data folder.
  # It must be able to walk down to var/ (mktemp folders are 0700).
  local d="$PG_DIR"
  while [ "$d" != "/" ]; do
    d="$(dirname "$d")"
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then chmod o+x "$d"; fi
  done
  chown postgres:postgres "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    log "initialising embedded PostgreSQL in var/postgres"
    runuser -u postgres -- "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    mkdir -p "$PG_DIR/run"; chown postgres:postgres "$PG_DIR/run"
  fi
  if ! runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    log "starting embedded PostgreSQL (socket in var/postgres/run)"
    runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
      -o "-c listen_addresses='' -k $PG_DIR/run -c fsync=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    PG_STARTED=1
  fi
  export DATABASE_URL="postgres://postgres@/dmn_portal?host=$PG_DIR/run"
  runuser -u postgres -- "$bindir/psql" -h "$PG_DIR/run" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='dmn_portal'" | grep -q 1 \
    || runuser -u postgres -- "$bindir/createdb" -h "$PG_DIR/run" -U postgres dmn_portal
}

stop_postgres() {
  if [ "${PG_STARTED:-0}" = 1 ]; then
    log "stopping embedded PostgreSQL"
    runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
  fi
}

ensure_redis() {
  # Use REDIS_URL when given; otherwise a private Redis on a socket under var/redis.
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$REDIS_DIR"
  if ! redis-cli -s "$REDIS_DIR/redis.sock" ping >/dev/null 2>&1; then
    log "starting private Redis (socket in var/redis)"
    redis-server --port 0 --unixsocket "$REDIS_DIR/redis.sock" --unixsocketperm 700 \
      --save "" --appendonly no --dir "$REDIS_DIR" --daemonize yes \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq 50); do redis-cli -s "$REDIS_DIR/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
    REDIS_STARTED=1
  fi
  export REDIS_URL="unix://$REDIS_DIR/redis.sock?db=0"
  export CELERY_BROKER_URL="redis+socket://$REDIS_DIR/redis.sock?virtual_host=0"
  export CELERY_RESULT_BACKEND="redis+socket://$REDIS_DIR/redis.sock?virtual_host=1"
}

stop_redis() {
  if [ "${REDIS_STARTED:-0}" = 1 ]; then
    log "stopping private Redis"
    redis-cli -s "$REDIS_DIR/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  fi
}

ensure_chromium() {
  # Debian's Chromium for the browser journeys; they skip, saying why, only
  # when it cannot be installed.
  if [ -n "${DMN_CHROMIUM:-}" ] && [ -x "$DMN_CHROMIUM" ]; then return 0; fi
  if ! command -v chromium >/dev/null; then
    apt_install chromium || { warn "Chromium could not be installed: browser journeys will be skipped"; return 0; }
  fi
  export DMN_CHROMIUM="$(command -v chromium)"
}
