#!/usr/bin/env bash
# The one virtualenv recipe for both README commands (./station.sh and ./test.sh), sourced by them.
# - made with --system-site-packages, so on a Pi apt's picamera2 and lgpio are seen by the kiosk
#   and the tests alike, whichever command ran first;
# - Bookworm's apt numpy is 1.x and picamera2 is built on it: numpy<2 is pinned there;
# - installed again only when pyproject.toml or the Python changed (a stamp in the venv), and
#   pip's chatter goes to .venv/pip.log, shown only if the install fails.
set -euo pipefail
VENV=${STATION_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv --system-site-packages "$VENV"
PIN=()
if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release && grep -qs 'Raspberry Pi' /proc/device-tree/model; then
    PIN=(-c "$(pwd)/scripts/bookworm-pins.txt")
fi
STAMP="$VENV/.hinge-station-installed"
WANT="$("$VENV/bin/python" -c 'import sys; print(sys.version)') $(sha256sum pyproject.toml | cut -d' ' -f1) ${PIN[*]:-}"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "Setting up $VENV (once; pip's log in $VENV/pip.log) ..." >&2
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check "${PIN[@]}" -e '.[test]' >"$VENV/pip.log" 2>&1; then
        tail -n 30 "$VENV/pip.log" >&2
        echo "The install failed; the whole log is in $VENV/pip.log." >&2
        exit 2
    fi
    echo "$WANT" >"$STAMP"
fi
if [ -z "${STATION_MODEL_DIR:-}" ] && [ -d ../shared/models ]; then
    export STATION_MODEL_DIR=../shared/models
fi
