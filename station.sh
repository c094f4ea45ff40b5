#!/usr/bin/env bash
# Set up and start Hinge Station on this machine. On a Raspberry Pi it runs the real kiosk full
# screen; elsewhere a windowed demo (the synthetic athlete, or: ./station.sh --source CLIP --drill ID).
# With no screen at all it says so, unless the run needs none (--exit-at-end prints the set as JSON).
# To install a Pi for good (boot into the kiosk), use `sudo ./install.sh` instead.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
ARGS=("$@")
if ! grep -qs 'Raspberry Pi' /proc/device-tree/model; then
    if [[ " ${ARGS[*]} " == *" --exit-at-end "* ]]; then
        export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
    elif [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${SDL_VIDEODRIVER:-}" ]; then
        echo "station.sh: there is no screen here (no DISPLAY): run it on a desktop or a Pi, or try" \
             "./station.sh --source CLIP --drill ID --exit-at-end, which prints the set as JSON." >&2
        exit 2
    fi
    ARGS=(--windowed "${ARGS[@]}")  # a computer, not the kiosk: a window, not the whole screen
fi
# The screen is checked first (a missing screen is said before anything is installed); then the model.
"$VENV/bin/station" model install >&2  # its line goes to stderr: stdout is the set's JSON with --exit-at-end
exec "$VENV/bin/station" run "${ARGS[@]}"
