#!/usr/bin/env bash
# Set up and start Hinge Station on this machine. On a Raspberry Pi with a camera it runs the real
# kiosk full screen; elsewhere a windowed demo (the synthetic athlete, or: ./station.sh --source CLIP).
# To install a Pi for good (boot into the kiosk), use `sudo ./install.sh` instead.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${STATION_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv --system-site-packages "$VENV"
PIN=()
if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release && grep -qs 'Raspberry Pi' /proc/device-tree/model; then
    PIN=(-c <(echo 'numpy<2'))  # picamera2 from apt is built on Bookworm's numpy 1.x
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PIN[@]}" -e .
if [ -z "${STATION_MODEL_DIR:-}" ] && [ -d ../shared/models ]; then
    export STATION_MODEL_DIR=../shared/models
fi
"$VENV/bin/station" model install
ARGS=("$@")
if ! grep -qs 'Raspberry Pi' /proc/device-tree/model; then
    ARGS=(--windowed "${ARGS[@]}")  # a computer, not the kiosk: a window, not the whole screen
fi
exec "$VENV/bin/station" run "${ARGS[@]}"
