"""The two README commands' shell side: one venv recipe, no reinstall, a clear word without a screen."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

VENV = Path(sys.prefix)


def _bash(script: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "STATION_VENV": str(VENV), **env}
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, env=full, timeout=600)


@pytest.mark.skipif(not (VENV / ".hinge-station-installed").exists(), reason="not run in the recipe's venv")
def test_the_recipe_installs_nothing_when_nothing_changed():
    result = _bash("source scripts/venv.sh && echo ready")
    assert result.returncode == 0 and result.stdout.strip() == "ready"
    assert "Setting up" not in result.stderr  # the stamp says it is installed


def test_both_commands_use_the_same_recipe():
    for script in ("station.sh", "test.sh"):
        assert "source scripts/venv.sh" in (ROOT / script).read_text()
    assert "--system-site-packages" in (ROOT / "scripts/venv.sh").read_text()


@pytest.mark.skipif(Path("/proc/device-tree/model").exists(), reason="on a Pi the kiosk takes the screen")
def test_station_sh_without_a_screen_says_so_and_exits_2():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env["STATION_VENV"] = str(VENV)
    result = subprocess.run(["bash", "station.sh"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 2 and result.stdout == ""
    assert "there is no screen here" in result.stderr.splitlines()[-1]
