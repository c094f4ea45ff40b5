#!/usr/bin/env bash
# Set up the virtualenv (scripts/venv.sh, shared with station.sh) and run the whole test suite:
# ruff, then pytest (the CI command). The pose model comes from STATION_MODEL_DIR (default
# ../shared/models). Without ../shared the tests that need it are skipped, each saying why.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
"$VENV/bin/ruff" check station tests scripts
# Two workers. A clip's tests are one xdist group, sent to one worker, which makes the clip's one
# MoveNet pass; tests that read every clip take the other worker's passes from the run's temporary
# folder (tests/conftest.py). Every other test goes to whichever worker is free.
# The per-clip table goes to build/clip-table.txt. Only this project's pytest plugins load (xdist):
# the venv sees the system's packages, and a host's own plugins must not change the run.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
exec "$VENV/bin/python" -m pytest -p xdist.plugin -n "${STATION_TEST_WORKERS:-2}" --dist loadgroup "$@"
