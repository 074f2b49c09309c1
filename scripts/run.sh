#!/usr/bin/env bash
# One command: install everything and run the product on the embedded
# defaults — SQLite under var/, Celery tasks in-process, the EMIS sandbox on
# :8001 wired to this PMS on :8000, demo data. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

export DEBUG=${DEBUG:-true}
PORT=${PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8001}
export PMS_PUBLIC_URL=${PMS_PUBLIC_URL:-http://127.0.0.1:$PORT}
PY=.venv/bin/python

$PY manage.py migrate -v0
$PY manage.py seed_demo
$PY manage.py demo_connect_emis --base-url "http://127.0.0.1:$SANDBOX_PORT"

mkdir -p var
$PY -m emis_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" \
  --db var/emis-sandbox.sqlite3 \
  --webhook-url "$PMS_PUBLIC_URL/api/v1/emis/webhook/" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT INT TERM

cat <<TXT

  PMS            $PMS_PUBLIC_URL/            (frontdesk / admin / support, password demo12345)
  Django admin   $PMS_PUBLIC_URL/admin/      (support: name policy)
  API docs       $PMS_PUBLIC_URL/api/schema/swagger/
  EMIS sandbox   http://127.0.0.1:$SANDBOX_PORT/

TXT
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
