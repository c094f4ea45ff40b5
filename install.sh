#!/usr/bin/env bash
# Install Hinge Station on Raspberry Pi OS (Bookworm or Trixie) so it boots into the kiosk.
#   sudo ./install.sh              install or update (idempotent: safe to run again); asks before it starts
#   ./install.sh --dry-run         print every step, change nothing (any Linux, no root)
# Options: --root DIR (install the files under DIR, for tests: packages, users and services on this
#          host are not touched, only printed; no root needed), --keep-desktop (do not boot to the console),
#          --sync (also the fleet sender, hinge-station-sync.service: sets and health to the gym's PostgreSQL),
#          --yes (do not ask: for scripts), --model-from DIR (the pose model from DIR, e.g. a USB stick),
#          --force (install on something that is not a Raspberry Pi with Raspberry Pi OS: a test machine).
# The pose model: from --model-from DIR, STATION_MODEL_DIR=DIR, or ../shared/models beside this
# folder where there is one; else downloaded (its SHA-256 is checked whichever it is).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DRY=0
ROOT=""
KEEP_DESKTOP=0
SYNC=0
YES=0
FORCE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY=1 ;;
        --root) ROOT=${2:?--root needs a folder}; shift ;;
        --keep-desktop) KEEP_DESKTOP=1 ;;
        --sync) SYNC=1 ;;
        --yes|-y) YES=1 ;;
        --force) FORCE=1 ;;
        --model-from) export STATION_MODEL_DIR=${2:?--model-from needs a folder}; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

USER_NAME=hinge-station
PREFIX=/opt/hinge-station
VENV=$PREFIX/venv
CONF_DIR=/etc/hinge-station
DATA_DIR=/var/lib/hinge-station
UNIT=/etc/systemd/system/hinge-station.service
SYNC_USER=hinge-station-sync
SYNC_UNIT=/etc/systemd/system/hinge-station-sync.service
PASSWORD_FILE=$CONF_DIR/db-password
GROUPS_WANTED=(video render input gpio audio)
LINK=/usr/local/bin/station

CODENAME=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}") || echo unknown)
OS_NAME=$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}") || echo unknown)
PI_MODEL=$( { tr -d '\0' </proc/device-tree/model; } 2>/dev/null || true)
if [ -z "${STATION_MODEL_DIR:-}" ] && [ -f "$HERE/../shared/models/SHA256SUMS" ]; then
    export STATION_MODEL_DIR=$(cd "$HERE/../shared/models" && pwd)  # the model beside the repository
fi
case "$CODENAME" in
    # Bookworm's apt numpy is 1.x and picamera2 is built on it: scripts/bookworm-pins.txt (one list,
    # also read by scripts/venv.sh) keeps numpy and the packages that need numpy 2 below it.
    bookworm) ALSA=libasound2; mapfile -t PIP_PINS < <(grep -v '^#' "$HERE/scripts/bookworm-pins.txt" | grep .) ;;
    *) ALSA=libasound2t64; PIP_PINS=() ;;
esac
APT_PACKAGES=(python3-venv python3-pip python3-picamera2 python3-libcamera python3-lgpio
              libgbm1 libdrm2 libegl1 libgles2 "$ALSA")

# The one list of steps: the dry run prints it, the real run does it, in this order.
STEPS=(
    "apt|Install apt packages: ${APT_PACKAGES[*]}"
    "user|Create system user $USER_NAME in groups: ${GROUPS_WANTED[*]} (those that exist)"
    "venv|Create the virtualenv $VENV with --system-site-packages (picamera2 and lgpio come from apt)"
    "package|Install Hinge Station from $HERE into $VENV${PIP_PINS[*]:+ (pinned: ${PIP_PINS[*]})}"
    "folders|Create $CONF_DIR and $DATA_DIR (owned by $USER_NAME, mode 0750)"
    "readers|Let ${SUDO_USER:-the administrator (the user running sudo)} read the history and health: add them to group $USER_NAME (station status)"
    "config|Write $CONF_DIR/config.toml with the defaults, unless one is there already"
    "link|Put station on the PATH: $LINK -> $VENV/bin/station"
    "model|Install and verify the pose model ${STATION_MODEL_DIR:+from $STATION_MODEL_DIR }(station model install${STATION_MODEL_DIR:+ --from $STATION_MODEL_DIR}; else downloaded)"
    "unit|Install the systemd unit $UNIT (ExecStart=$VENV/bin/station run)"
    "console|Boot to the console (multi-user.target), so the kiosk owns the screen"
    "enable|Enable and (re)start hinge-station.service"
)
if [ "$SYNC" = 1 ]; then
    STEPS+=(
        "syncuser|Create system user $SYNC_USER in group $USER_NAME (reads the history, no devices)"
        "syncunit|Install the systemd unit $SYNC_UNIT (hinge-station-sync.service: station sync, network, no devices)"
        "syncsecret|Create $PASSWORD_FILE (root only, mode 0600, empty until you write the password into it)"
        "syncenable|Enable and (re)start hinge-station-sync.service (set [sync] in $CONF_DIR/config.toml first)"
    )
fi

say() { printf '==> %s\n' "$*"; }
r() { printf '%s%s' "$ROOT" "$1"; }  # a path under --root
# A command that changes the host itself (packages, users, services): under --root it is only
# printed, so an install into a folder never touches the machine it runs on.
host() {
    if [ -n "$ROOT" ]; then echo "    (--root: not run on this host: $*)"; else "$@"; fi
}

step_apt() {
    host env DEBIAN_FRONTEND=noninteractive apt-get update -q
    host env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
}

step_user() {
    local groups=()
    for g in "${GROUPS_WANTED[@]}"; do
        if getent group "$g" >/dev/null; then groups+=("$g"); else echo "    (no group $g on this system: skipped)"; fi
    done
    local joined
    joined=$(IFS=,; echo "${groups[*]}")
    if id -u "$USER_NAME" >/dev/null 2>&1; then
        [ -z "$joined" ] || host usermod -a -G "$joined" "$USER_NAME"
    else
        host useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
            ${joined:+--groups "$joined"} "$USER_NAME"
    fi
}

step_readers() {
    # The kiosk writes its files group-readable (the unit's UMask=0027): members of its group can
    # run `station status` and `station history` over SSH without sudo.
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && id -u "$SUDO_USER" >/dev/null 2>&1; then
        host usermod -a -G "$USER_NAME" "$SUDO_USER"
    else
        echo "    (not run through sudo by a user: add yours with 'usermod -a -G $USER_NAME NAME')"
    fi
}

step_venv() {
    mkdir -p "$(r "$PREFIX")"
    [ -x "$(r "$VENV")/bin/python" ] || python3 -m venv --system-site-packages "$(r "$VENV")"
}

step_package() {
    local constraints
    constraints=$(mktemp)
    printf '%s\n' "${PIP_PINS[@]}" >"$constraints"
    # What pip fetches is shown (a Pi on gym Wi-Fi: the owner sees it is working, and on what);
    # pip's own failure still fails the step (pipefail), the filter never does.
    # shellcheck disable=SC2086 # STATION_PIP_EXTRA is a list of extra pip options
    "$(r "$VENV")/bin/python" -m pip install --progress-bar off --disable-pip-version-check -c "$constraints" \
        ${STATION_PIP_EXTRA:-} --upgrade "$HERE" | { grep -E '^ *(Downloading|Successfully installed)' || true; }
    rm -f "$constraints"
}

step_folders() {
    install -d -m 0755 "$(r "$CONF_DIR")"
    install -d -m 0750 "$(r "$DATA_DIR")"
    if [ -z "$ROOT" ]; then chown -R "$USER_NAME:$USER_NAME" "$DATA_DIR"; fi
}

step_config() {
    local conf
    conf=$(r "$CONF_DIR/config.toml")
    if [ -e "$conf" ]; then echo "    (kept the existing $CONF_DIR/config.toml)"; else install -m 0644 "$HERE/systemd/config.toml" "$conf"; fi
}

step_model() {
    STATION_DATA_DIR=$(r "$DATA_DIR") "$(r "$VENV")/bin/station" model install ${STATION_MODEL_DIR:+--from "$STATION_MODEL_DIR"}
    if [ -z "$ROOT" ]; then chown -R "$USER_NAME:$USER_NAME" "$DATA_DIR"; fi
}

step_link() {
    install -d "$(dirname "$(r "$LINK")")"
    ln -sfn "$VENV/bin/station" "$(r "$LINK")"
}

# install_unit NAME DEST SUBCOMMAND: the unit from systemd/NAME, its ExecStart pointed at this venv.
install_unit() {
    install -d "$(dirname "$(r "$2")")"
    sed "s|^ExecStart=.*|ExecStart=$VENV/bin/station $3|" "$HERE/systemd/$1" >"$(r "$2")"
    chmod 0644 "$(r "$2")"
    host systemctl daemon-reload
}

step_unit() {
    install_unit hinge-station.service "$UNIT" run
}

step_syncuser() {
    if id -u "$SYNC_USER" >/dev/null 2>&1; then
        host usermod -a -G "$USER_NAME" "$SYNC_USER"
    else
        host useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            --no-user-group --gid "$USER_NAME" "$SYNC_USER"
    fi
}

step_syncunit() {
    install_unit hinge-station-sync.service "$SYNC_UNIT" sync
}

step_syncsecret() {
    install -d -m 0755 "$(r "$CONF_DIR")"
    if [ ! -e "$(r "$PASSWORD_FILE")" ]; then
        install -m 0600 /dev/null "$(r "$PASSWORD_FILE")"
    fi
    chmod 0600 "$(r "$PASSWORD_FILE")"
}

step_syncenable() {
    enable_unit hinge-station-sync.service
}

step_console() {
    if [ "$KEEP_DESKTOP" = 1 ]; then echo "    (--keep-desktop: left as it is)"; return; fi
    host systemctl set-default multi-user.target
}

enable_unit() {
    host systemctl enable "$1"
    host systemctl restart "$1"
}

step_enable() {
    enable_unit hinge-station.service
}

if [ "$DRY" = 0 ] && [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    echo "install.sh: run it as root (sudo ./install.sh), or see what it would do with --dry-run" >&2
    exit 2
fi
# What it runs on: Raspberry Pi OS Bookworm or Trixie on a Raspberry Pi (told, and enforced for a real install).
WHERE_OK=1
case "$CODENAME" in bookworm|trixie) ;; *) WHERE_OK=0 ;; esac
case "$PI_MODEL" in "Raspberry Pi"*) ;; *) WHERE_OK=0 ;; esac
MODE=$([ "$DRY" = 1 ] && echo "dry run: nothing is changed" || echo "for real")
say "Hinge Station install on $OS_NAME, ${PI_MODEL:-not a Raspberry Pi} ($MODE)"
if [ "$WHERE_OK" = 0 ] && [ "$DRY" = 0 ] && [ -z "$ROOT" ] && [ "$FORCE" = 0 ]; then
    echo "install.sh: this is $OS_NAME on ${PI_MODEL:-a machine that is not a Raspberry Pi}; the kiosk needs Raspberry Pi OS Bookworm or Trixie on a Pi 4 or 5 (--force installs anyway, e.g. on a test machine)." >&2
    exit 2
fi
if [ "$DRY" = 0 ] && [ -z "$ROOT" ] && [ "$YES" = 0 ]; then
    say "It will:"
    for entry in "${STEPS[@]}"; do printf '    - %s\n' "${entry#*|}"; done
    if [ ! -t 0 ]; then
        echo "install.sh: not run from a terminal, so it cannot ask: add --yes to go ahead." >&2
        exit 2
    fi
    read -r -p "Go ahead? [y/N] " answer
    case "$answer" in y|Y|yes|YES) ;; *) echo "Nothing was changed."; exit 0 ;; esac
fi
for entry in "${STEPS[@]}"; do
    name=${entry%%|*}
    say "${entry#*|}"
    if [ "$DRY" = 0 ]; then "step_$name"; fi
done
if [ "$DRY" = 0 ]; then
    say "Done. The kiosk starts at boot; follow it with: journalctl -u hinge-station -f"
fi
