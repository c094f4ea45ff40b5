#!/usr/bin/env bash
# Set up the virtualenv (scripts/venv.sh, shared with station.sh) and run the whole test suite:
# ruff, then pytest (the CI command). The pose model comes from STATION_MODEL_DIR (default
# ../shared/models). Without ../shared the tests that need it are skipped, each saying why.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
"$VENV/bin/ruff" check station tests
# Two workers: the clip tests (group "clips") on one, so MoveNet runs over each clip once a run and
# the per-clip table stays together; every other test goes to whichever worker is free. Many tests
# wait on subprocesses, timers and sleeps, so two cores run the suite in about 3 minutes.
exec "$VENV/bin/python" -m pytest -n "${STATION_TEST_WORKERS:-2}" --dist loadgroup "$@"
