#!/usr/bin/env bash
# Set up the virtualenv (scripts/venv.sh, shared with station.sh) and run the whole test suite:
# ruff, then pytest (the CI command). The pose model comes from STATION_MODEL_DIR (default
# ../shared/models). Without ../shared the tests that need it are skipped, each saying why.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
"$VENV/bin/ruff" check station tests
exec "$VENV/bin/python" -m pytest "$@"
