#!/usr/bin/env bash
# Installs everything the product and its tests need, idempotently:
# Debian packages (gettext for the catalogs, chromium for browser tests),
# a virtualenv with the project and its dev extras, compiled translations.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 \
  | grep -v -e '^WARNING: Location' -e 'is ignored' || true

# Catalogs are compiled here, never committed (*.mo is git-ignored).
.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
echo "setup: ok"
