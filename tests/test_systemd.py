"""The unit as systemd sees it: it verifies clean, and its exposure rating stays at 2.0 or lower."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

UNIT = ROOT / "systemd" / "hinge-station.service"


@pytest.fixture(scope="module")
def analyze():
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: install the systemd package to check the unit")
    return tool


def test_verify_reports_only_the_missing_exec_start(analyze):
    result = subprocess.run([analyze, "verify", str(UNIT)], capture_output=True, text=True)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert all("/opt/hinge-station/venv/bin/station" in line for line in lines), lines


def test_security_exposure_is_at_most_2(analyze):
    result = subprocess.run([analyze, "security", "--offline=true", str(UNIT)], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout[-500:]
    print(f"\nsystemd-analyze security exposure: {match.group(1)}")
    assert float(match.group(1)) <= 2.0


def test_the_unit_says_what_the_kiosk_needs():
    text = UNIT.read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=always", "StartLimitBurst=", "Conflicts=getty@tty1.service",
                 "OnFailure=getty@tty1.service", "PrivateNetwork=yes", "ProtectSystem=strict", "DevicePolicy=closed",
                 "DeviceAllow=char-drm rw", "DeviceAllow=char-video4linux rw", "DeviceAllow=char-dma_heap rw",
                 "DeviceAllow=char-gpiochip rw", "DeviceAllow=char-input r", "DeviceAllow=/dev/tty1 rw"):  # fmt: skip
        assert line in text, line
    start_limits = text.split("[Service]")[0]
    assert "StartLimitIntervalSec=" in start_limits and "StartLimitBurst=" in start_limits
