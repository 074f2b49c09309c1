#!/usr/bin/env bash
# One command: install everything and run the product on the embedded
# defaults — SQLite under var/, Celery tasks in-process, the EMIS sandbox on
# :8001 wired to this PMS on :8000, demo data. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# From here on every file is its owner's alone: var/, both databases (passport
# data) and the encryption key (settings and the sandbox also set the modes).
umask 077

export DEBUG=${DEBUG:-true}
PORT=${PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8001}
export PMS_PUBLIC_URL=${PMS_PUBLIC_URL:-http://127.0.0.1:$PORT}
PY=.venv/bin/python

$PY manage.py migrate -v0
$PY manage.py seed_demo
$PY manage.py demo_connect_emis --base-url "http://127.0.0.1:$SANDBOX_PORT"

# The sandbox's control API (/_sandbox/) can sign webhooks: it wants this
# token. Passed in the environment, which other local users cannot read (a
# command line they can).
SANDBOX_TOKEN=${EMIS_SANDBOX_CONTROL_TOKEN:-$($PY -c 'import secrets; print(secrets.token_urlsafe(24))')}
mkdir -p var
EMIS_SANDBOX_CONTROL_TOKEN=$SANDBOX_TOKEN $PY -m emis_sandbox \
  --host 127.0.0.1 --port "$SANDBOX_PORT" \
  --db var/emis-sandbox.sqlite3 \
  --webhook-url "$PMS_PUBLIC_URL/api/v1/emis/webhook/" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT INT TERM

# No EMIS password here: the sandbox's accounts are in docs/sandbox.md.
cat <<TXT

  PMS            $PMS_PUBLIC_URL/            (frontdesk / admin / support, password demo12345)
  Django admin   $PMS_PUBLIC_URL/admin/      (support, admin: name policy, delivery log)
  API docs       $PMS_PUBLIC_URL/api/schema/swagger/
  EMIS sandbox   http://127.0.0.1:$SANDBOX_PORT/  (its accounts: docs/sandbox.md)
  Sandbox control API token (header X-Sandbox-Token): $SANDBOX_TOKEN

TXT
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
