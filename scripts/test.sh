#!/usr/bin/env bash
# One command: install everything, then run every test. Uses PostgreSQL and
# Redis when they answer on localhost, SQLite and in-process tasks otherwise,
# and says which. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
eval "$(.venv/bin/python scripts/services.py)"
echo "tests: database = ${PMS_TEST_DB}; broker = ${PMS_TEST_BROKER}"
.venv/bin/ruff check --quiet .
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
# pytest's 5 means "no tests ran": that is a failure, not a pass.
[ $rc -eq 5 ] && echo "tests: no test ran" >&2 && exit 1
exit $rc
