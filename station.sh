#!/usr/bin/env bash
# Set up and start Hinge Station on this machine. On a Raspberry Pi with a camera it runs the real
# kiosk full screen; elsewhere a windowed demo (the synthetic athlete, or: ./station.sh --source CLIP).
# To install a Pi for good (boot into the kiosk), use `sudo ./install.sh` instead.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${STATION_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv --system-site-packages "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e .
if [ -z "${STATION_MODEL_DIR:-}" ] && [ -d ../shared/models ]; then
    export STATION_MODEL_DIR=../shared/models
fi
"$VENV/bin/station" model install
exec "$VENV/bin/station" run "$@"
