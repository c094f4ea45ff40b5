#!/usr/bin/env bash
# pi-check.sh: install and run Hinge Station on the Raspberry Pi's architecture (arm64), emulated,
# and compare its answers with this machine's.
#
#   sudo scripts/pi-check.sh                       both suites, the default clips
#   sudo SUITES=trixie scripts/pi-check.sh         one suite
#   sudo CLIPS="a.mp4 b.mp4" scripts/pi-check.sh   other clips (names in $SHARED/footage)
#   sudo scripts/pi-check.sh --clean               unmount and remove everything it made
#
# What it does, for Debian bookworm (Raspberry Pi OS Bookworm's base, Python 3.11) and trixie (3.13):
# a debootstrapped arm64 root run by qemu user-mode emulation (a Cortex-A72, the Pi 4's core);
# in it, what install.sh does on a Pi: apt's Python and libraries, a venv made with
# --system-site-packages at /opt/hinge-station/venv, this project with install.sh's pins; then
# `station --help`, `station model install --from`, `station model check`, `install.sh --dry-run`
# and `station analyze --json` on each clip. The same clips are analysed here (x86-64, the project's
# .venv) and the answers compared: reps and fault calls must be identical; per-rep figures are
# reported against the stated tolerance (scripts/pi_compare.py).
# What it cannot show: Raspberry Pi OS's own archive (picamera2, libcamera with the Pi's camera
# tuning, lgpio) is not used, only what Debian has, which it reports; emulation is 50-100 times slower
# than a Pi, so it says nothing of speed.
#
# Needs: root (debootstrap, chroot, mounts, binfmt_misc), a Debian host reaching its mirror and PyPI.
# Everything goes under $WORK [/var/tmp/hinge-pi-check]: the roots (kept: a second run takes minutes),
# logs/ (one per step), out/ (JSON, pip's downloads, apt's candidates) and times.tsv. Outside it: the
# host's qemu-user-static, debootstrap and binfmt-support packages, and on a Bookworm host
# /etc/apt/sources.list.d/hinge-pi-check-backports.sources (qemu 8 or later is only in backports there).
# Exit: 0 when every step passed and every clip's reps and faults agree; 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$HERE/.." && pwd)/shared}
WORK=${WORK:-/var/tmp/hinge-pi-check}
SUITES=${SUITES:-bookworm trixie}
# Short clips, so emulation takes minutes: a rounded lower back (1 rep), a rounded upper back with
# no lockout (1 rep), a clean outdoor pull (1 rep), a clean band RDL (3 reps).
CLIPS=${CLIPS:-barbell-deadlift_side_rounded-lower-back.mp4:deadlift barbell-deadlift_side_rounded-upper-back.mp4:deadlift barbell-deadlift_side_good-outdoor.mp4:deadlift band-rdl_side_good.mp4:rdl}
QEMU_CPU=${QEMU_CPU:-cortex-a72}
VENV_IN=/opt/hinge-station/venv
LOGS=$WORK/logs
OUT=$WORK/out
TIMES=$WORK/times.tsv
FAILED=()

say() { printf '==> %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then echo "pi-check.sh: run it as root (sudo): it uses debootstrap, chroot and mounts." >&2; exit 2; fi

mirror() {
    awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null ||
        true
}
MIRROR=${MIRROR:-$(mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# run_step SUITE NAME CMD...: CMD's output to logs/SUITE-NAME.log; its time and exit code to times.tsv.
run_step() {
    local suite=$1 name=$2 t0 rc
    shift 2
    say "[$suite] $name"
    t0=$(date +%s.%N)
    (set -e; "$@") >"$LOGS/$suite-$name.log" 2>&1
    rc=$?
    printf '%s\t%s\t%.1f\t%s\n' "$suite" "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" "$rc" >>"$TIMES"
    if [ "$rc" != 0 ]; then
        say "[$suite] $name failed ($rc); the end of $LOGS/$suite-$name.log:"
        tail -n 12 "$LOGS/$suite-$name.log" >&2
        FAILED+=("$suite/$name")
    fi
    return "$rc"
}

root_of() { echo "$WORK/$1"; }

mounts() {  # mounts ROOT on|off: proc, sys and dev for the chroot; never anything else
    local R=$1 m
    if [ "$2" = on ]; then
        mountpoint -q "$R/proc" || mount -t proc proc "$R/proc"
        mountpoint -q "$R/sys" || mount --rbind /sys "$R/sys"
        mountpoint -q "$R/dev" || mount --rbind /dev "$R/dev"
        mount --make-rslave "$R/sys" "$R/dev" 2>/dev/null || true
    else
        for m in dev sys proc; do mountpoint -q "$R/$m" && { umount -R "$R/$m" 2>/dev/null || umount -R -l "$R/$m"; }; done
    fi
    return 0
}

cleanup() { local s; for s in bookworm trixie; do [ -d "$(root_of "$s")" ] && mounts "$(root_of "$s")" off; done; return 0; }
trap cleanup EXIT INT TERM

if [ "${1:-}" = --clean ]; then
    cleanup
    if findmnt -rn -o TARGET | grep -q "^$WORK/"; then echo "pi-check.sh: something is still mounted under $WORK" >&2; exit 1; fi
    rm -rf --one-file-system "$WORK" && say "removed $WORK"
    exit 0
fi

# in SUITE CMD...: run CMD in the arm64 root, with a clean environment, on the emulated Pi 4 core.
in_root() {
    local suite=$1
    shift
    chroot "$(root_of "$suite")" /usr/bin/env -i QEMU_CPU="$QEMU_CPU" HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive STATION_DATA_DIR=/root/data PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
        PATH=$VENV_IN/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

host_tools() {
    apt-get update -q
    # Bookworm's qemu 7.2 crashes inside LiteRT's interpreter: qemu 8 or later, from backports there.
    if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
        if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
            printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$MIRROR" >/etc/apt/sources.list.d/hinge-pi-check-backports.sources
            apt-get update -q
        fi
        apt-get install -y -q -t bookworm-backports qemu-user-static
    else
        apt-get install -y -q qemu-user-static
    fi
    apt-get install -y -q debootstrap binfmt-support bc
    [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo -1 >/proc/sys/fs/binfmt_misc/qemu-aarch64
    if [ -e /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
        grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register
    else
        update-binfmts --enable qemu-aarch64
    fi
    qemu-aarch64-static --version | head -n 1
}

x86_answers() {  # the same clips on this machine, with the project's own .venv (./test.sh's)
    local item clip drill
    [ -x "$HERE/.venv/bin/station" ] || (cd "$HERE" && STATION_VENV=.venv bash -c 'source scripts/venv.sh')
    for item in $CLIPS; do
        clip=${item%%:*}; drill=${item##*:}
        STATION_DATA_DIR=$WORK/x86-data STATION_MODEL_DIR=$SHARED/models "$HERE/.venv/bin/station" analyze "$SHARED/footage/$clip" --drill "$drill" \
            --json >"$OUT/x86-$clip.json"
    done
    "$HERE/.venv/bin/pip" freeze >"$OUT/x86-freeze.txt"
}

bootstrap() {
    local suite=$1 R
    R=$(root_of "$suite")
    if [ ! -e "$R/.bootstrapped" ]; then
        rm -rf --one-file-system "$R"
        debootstrap --arch=arm64 --variant=minbase "$suite" "$R" "$MIRROR"
        touch "$R/.bootstrapped"
    fi
    echo "deb $MIRROR $suite main" >"$R/etc/apt/sources.list"
    cp /etc/resolv.conf "$R/etc/resolv.conf"
    mounts "$R" on
    in_root "$suite" uname -m
}

apt_in_root() {  # what install.sh installs from apt, less what only Raspberry Pi OS's archive has
    local suite=$1 alsa=libasound2 p
    [ "$suite" = bookworm ] || alsa=libasound2t64
    in_root "$suite" apt-get update -q
    in_root "$suite" apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip ca-certificates \
        libgbm1 libdrm2 libegl1 libgles2 "$alsa"
    # The host's own certificate authorities (a proxy that inspects TLS has one), so pip in the root
    # reaches PyPI the way the host does.
    if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
        mkdir -p "$(root_of "$suite")/usr/local/share/ca-certificates"
        cp /usr/local/share/ca-certificates/*.crt "$(root_of "$suite")/usr/local/share/ca-certificates/"
    fi
    in_root "$suite" update-ca-certificates
    {
        in_root "$suite" sh -c '. /etc/os-release; echo "$PRETTY_NAME, $(python3 --version), $(dpkg --print-architecture)"'
        for p in python3-picamera2 python3-libcamera libcamera-ipa python3-lgpio rpicam-apps; do
            printf '%-18s %s\n' "$p" "$(in_root "$suite" apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
        done
    } | tee "$OUT/$suite-apt.txt"
}

pip_in_root() {  # the project as install.sh installs it (same venv, same pins), pip's downloads counted
    local suite=$1 R
    R=$(root_of "$suite")
    rm -rf "$R/root/hinge-station" "$R/root/models" "$R/root/footage"
    mkdir -p "$R/root/hinge-station" "$R/root/models" "$R/root/footage"
    (cd "$HERE" && git archive HEAD) | tar -x -C "$R/root/hinge-station"
    cp "$SHARED"/models/* "$R/root/models/"
    for item in $CLIPS; do cp "$SHARED/footage/${item%%:*}" "$R/root/footage/"; done
    # A fresh venv every run, and no pip cache: what pip downloads is what a Pi's first install fetches.
    rm -rf "${R:?}$VENV_IN"
    in_root "$suite" python3 -m venv --system-site-packages "$VENV_IN"
    local pins=""
    [ "$suite" = bookworm ] && pins="-c /root/hinge-station/scripts/bookworm-pins.txt"
    # shellcheck disable=SC2086
    in_root "$suite" "$VENV_IN/bin/python" -m pip install --disable-pip-version-check --no-cache-dir $pins \
        /root/hinge-station | tee "$LOGS/$suite-pip-output.log"
    [ -x "$R$VENV_IN/bin/station" ] || { echo "pip did not install station into $VENV_IN"; return 1; }
    in_root "$suite" "$VENV_IN/bin/pip" freeze >"$OUT/$suite-freeze.txt"
    grep -oE 'Downloading [^ ]+ \([0-9.]+ [kM]B\)' "$LOGS/$suite-pip-output.log" | sed 's/^Downloading //' \
        >"$OUT/$suite-downloads.txt" || true
    awk '{v=$2; gsub(/\(/,"",v); mb = ($3 ~ /kB/) ? v/1024 : v; s += mb; n++} END {printf "%d files, %.0f MB downloaded\n", n, s}' \
        "$OUT/$suite-downloads.txt" | tee "$OUT/$suite-download-total.txt"
}

commands_in_root() {
    local suite=$1
    in_root "$suite" station --help >"$OUT/$suite-help.txt"
    "$HERE/.venv/bin/station" --help | cmp - "$OUT/$suite-help.txt" && echo "station --help: the same text as here"
    in_root "$suite" rm -rf /root/data
    in_root "$suite" station model install --from /root/models
    in_root "$suite" station model check
    in_root "$suite" bash /root/hinge-station/install.sh --dry-run
}

analyze_in_root() {
    local suite=$1 item clip drill
    for item in $CLIPS; do
        clip=${item%%:*}; drill=${item##*:}
        echo "$clip ($drill):"
        /usr/bin/time -f '  %e s wall' chroot "$(root_of "$suite")" /usr/bin/env -i QEMU_CPU="$QEMU_CPU" HOME=/root \
            LANG=C.UTF-8 STATION_DATA_DIR=/root/data PATH=$VENV_IN/bin:/usr/bin:/bin \
            station analyze "/root/footage/$clip" --drill "$drill" --json >"$OUT/$suite-$clip.json"
    done
}

compare() {
    local suite=$1 item clip args=()
    for item in $CLIPS; do clip=${item%%:*}; args+=("$clip" "$OUT/x86-$clip.json" "$OUT/$suite-$clip.json"); done
    python3 "$HERE/scripts/pi_compare.py" "$suite" "${args[@]}" | tee "$OUT/$suite-compare.txt"
    return "${PIPESTATUS[0]}"
}

mkdir -p "$LOGS" "$OUT"
printf '# %s, QEMU_CPU=%s, mirror %s, suites: %s\n' "$(date -Is)" "$QEMU_CPU" "$MIRROR" "$SUITES" >>"$TIMES"
START=$(date +%s)
run_step host tools host_tools || exit 1
run_step host x86-answers x86_answers || exit 1
for suite in $SUITES; do
    run_step "$suite" bootstrap bootstrap "$suite" || continue
    run_step "$suite" apt apt_in_root "$suite" || { mounts "$(root_of "$suite")" off; continue; }
    run_step "$suite" pip pip_in_root "$suite" || { mounts "$(root_of "$suite")" off; continue; }
    run_step "$suite" commands commands_in_root "$suite"
    run_step "$suite" analyze analyze_in_root "$suite" && run_step "$suite" compare compare "$suite"
    mounts "$(root_of "$suite")" off
done

say "Summary: $(($(date +%s) - START)) s in all (QEMU_CPU=$QEMU_CPU)"
# This run's lines only: those after the last header line.
awk -F'\t' -v start="$(grep -n '^#' "$TIMES" | tail -n 1 | cut -d: -f1)" \
    'NR > start {printf "  %-9s %-12s %8s s  %s\n", $1, $2, $3, ($4 == 0 ? "ok" : "FAILED " $4)}' "$TIMES" >&2
for suite in $SUITES; do
    [ -e "$OUT/$suite-download-total.txt" ] && say "$suite: pip $(cat "$OUT/$suite-download-total.txt")"
    [ -e "$OUT/$suite-apt.txt" ] && { say "$suite: Debian's candidates for the Pi's own packages:"; cat "$OUT/$suite-apt.txt" >&2; }
    [ -e "$OUT/$suite-compare.txt" ] && cat "$OUT/$suite-compare.txt" >&2
done
if [ ${#FAILED[@]} -gt 0 ]; then say "failed: ${FAILED[*]}"; exit 1; fi
say "every step passed; reps and faults agree with x86 on every clip"
