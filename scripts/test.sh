#!/usr/bin/env bash
# Runs the test suite. When a PostgreSQL server answers on 127.0.0.1:5432 (always in CI),
# a fresh database is created for this run, handed to the tests and dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo "python3 -m uv")}
PG_HOST=${PMO_PG_HOST:-127.0.0.1}
PG_PORT=${PMO_PG_PORT:-5432}
PG_USER=${PMO_PG_USER:-postgres}

pg_up() { $UV run --frozen python scripts/pgdb.py ping --host "$PG_HOST" --port "$PG_PORT" --user "$PG_USER"; }

if ! pg_up && [ "${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  # CI must test PostgreSQL: start the machine's cluster if it is not running.
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  sleep 2
fi

if pg_up; then
  DB="pmo_test_$(date +%s)_$$"
  $UV run --frozen python scripts/pgdb.py create "$DB" --host "$PG_HOST" --port "$PG_PORT" --user "$PG_USER"
  trap '$UV run --frozen python scripts/pgdb.py drop "$DB" --host "$PG_HOST" --port "$PG_PORT" --user "$PG_USER"' EXIT
  export PMO_TEST_POSTGRES_URL="postgresql+psycopg://$PG_USER@$PG_HOST:$PG_PORT/$DB"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but PostgreSQL does not answer on $PG_HOST:$PG_PORT: the PostgreSQL tests must run in CI" >&2
  exit 1
fi

# The HTML reports are checked in a real headless browser (Debian's chromium), and their
# printed PDFs with poppler-utils (pdftotext, pdfinfo): CI installs both.
if [ "${CI:-}" = "true" ] && [ "$(id -u)" = "0" ] \
  && { ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; }; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils) \
    >/dev/null 2>&1 \
    || echo "warning: could not install chromium/poppler-utils; the browser tests will fail" >&2
fi

export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false
$UV run --frozen pytest -n 2 --dist loadfile "$@"
