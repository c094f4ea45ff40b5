#!/usr/bin/env bash
# Set up a virtualenv from the project's own files and run the whole test suite (the CI command).
# The pose model is copied from STATION_MODEL_DIR (default: ../shared/models) or downloaded.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${STATION_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
if [ -z "${STATION_MODEL_DIR:-}" ] && [ -d ../shared/models ]; then
    export STATION_MODEL_DIR=../shared/models
fi
"$VENV/bin/ruff" check station tests
"$VENV/bin/python" -m pytest "$@"
