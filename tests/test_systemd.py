"""The units as systemd sees them: they verify clean; exposure at most 1.0 (kiosk) and 2.0 (fleet sender)."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

UNIT = ROOT / "systemd" / "hinge-station.service"
SYNC_UNIT = ROOT / "systemd" / "hinge-station-sync.service"


@pytest.fixture(scope="module")
def analyze():
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: install the systemd package to check the unit")
    return tool


@pytest.mark.parametrize("unit", [UNIT, SYNC_UNIT], ids=["kiosk", "sync"])
def test_verify_reports_only_the_missing_exec_start(analyze, unit):
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    # Outside a Pi the program, the service users and the credential file are not there.
    expected = ("/opt/hinge-station/venv/bin/station", "hinge-station", "db-password", "network-online")
    assert all(any(e in line for e in expected) for line in lines), lines


@pytest.mark.parametrize(("unit", "limit"), [(UNIT, 1.0), (SYNC_UNIT, 2.0)], ids=["kiosk", "sync"])
def test_security_exposure(analyze, unit, limit):
    result = subprocess.run([analyze, "security", "--offline=true", str(unit)], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout[-500:]
    print(f"\nsystemd-analyze security exposure of {unit.name}: {match.group(1)}")
    assert float(match.group(1)) <= limit


def test_the_sync_unit_has_network_and_its_password_but_no_devices_and_no_password_in_it():
    text = SYNC_UNIT.read_text()
    for line in ("ExecStart=/opt/hinge-station/venv/bin/station sync", "PrivateDevices=yes", "DevicePolicy=closed",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "LoadCredential=db-password:",
                 "ReadOnlyPaths=/var/lib/hinge-station", "Group=hinge-station",
                 "ProtectSystem=strict"):  # fmt: skip
        assert line in text, line
    settings = [line for line in text.splitlines() if not line.startswith("#")]
    assert not any(line.startswith(("PrivateNetwork", "DeviceAllow")) for line in settings)
    assert "password=" not in text.lower()
    assert "PrivateNetwork=yes" in UNIT.read_text()  # the kiosk stays offline


def test_the_unit_says_what_the_kiosk_needs():
    text = UNIT.read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=always", "StartLimitBurst=", "Conflicts=getty@tty1.service",
                 "OnFailure=getty@tty1.service", "PrivateNetwork=yes", "ProtectSystem=strict", "DevicePolicy=closed",
                 "DeviceAllow=char-drm rw", "DeviceAllow=char-video4linux rw", "DeviceAllow=char-dma_heap rw",
                 "DeviceAllow=char-gpiochip rw", "DeviceAllow=char-input r", "DeviceAllow=/dev/tty1 rw"):  # fmt: skip
        assert line in text, line
    start_limits = text.split("[Service]")[0]
    assert "StartLimitIntervalSec=" in start_limits and "StartLimitBurst=" in start_limits
