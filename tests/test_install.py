"""install.sh: the dry run anywhere, and the real path into a temporary root with the system tools stubbed."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, shared_path

STUBS = ("apt-get", "useradd", "usermod", "systemctl")


def test_dry_run_lists_every_step_and_changes_nothing(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "install.sh"), "--dry-run"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for package in ("python3-picamera2", "python3-lgpio", "python3-venv", "libgbm1"):
        assert package in out
    assert "/opt/hinge-station/venv" in out and "--system-site-packages" in out
    assert "/etc/systemd/system/hinge-station.service" in out
    assert "Create system user hinge-station" in out and "video render input gpio audio" in out
    assert "/usr/local/bin/station" in out
    assert "dry run: nothing is changed" in out
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def stubbed(tmp_path):
    """apt-get, useradd, usermod and systemctl that only log their arguments."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    for name in STUBS:
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        stub.chmod(0o755)
    (bin_dir / "id").write_text('#!/bin/sh\n[ "$1" = "-u" ] && [ -n "$2" ] && exit 1\nexec /usr/bin/id "$@"\n')
    (bin_dir / "id").chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", STATION_MODEL_DIR=str(shared_path("models")),
               STATION_PIP_EXTRA="--no-deps")  # fmt: skip
    return env, log


def test_real_run_into_a_temporary_root_is_complete_and_idempotent(tmp_path, stubbed):
    env, log = stubbed
    root = tmp_path / "root"
    cmd = ["bash", str(ROOT / "install.sh"), "--root", str(root)]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    # Issue 17 #13: --root never touches the host: packages, users and services are printed, not run.
    assert not log.exists(), log.read_text()
    printed = first.stdout
    assert "(--root: not run on this host: env DEBIAN_FRONTEND=noninteractive apt-get install -y -q" in printed
    assert "python3-picamera2" in printed and "not run on this host: useradd --system" in printed
    assert "not run on this host: systemctl set-default multi-user.target" in printed
    assert "not run on this host: systemctl enable hinge-station.service" in printed
    unit = (root / "etc/systemd/system/hinge-station.service").read_text()
    assert "ExecStart=/opt/hinge-station/venv/bin/station run" in unit and "Type=notify" in unit
    assert (root / "opt/hinge-station/venv/bin/station").exists()
    assert os.readlink(root / "usr/local/bin/station") == "/opt/hinge-station/venv/bin/station"
    model = root / "var/lib/hinge-station/models/movenet_singlepose_lightning_int8_4.tflite"
    assert model.stat().st_mode & 0o777 == 0o644  # the service user reads what root installed
    assert (root / "var/lib/hinge-station/models/movenet_singlepose_lightning_int8_4.tflite").stat().st_size > 2_000_000
    config = root / "etc/hinge-station/config.toml"
    assert "[kiosk]" in config.read_text()
    config.write_text("[sound]\nvolume = 0.2\n")  # the site changed its config
    assert not (root / "etc/systemd/system/hinge-station-sync.service").exists()  # the fleet sender is opt-in
    second = subprocess.run([*cmd, "--sync"], capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert config.read_text() == "[sound]\nvolume = 0.2\n"  # a second run keeps it
    assert "kept the existing" in second.stdout
    sync_unit = (root / "etc/systemd/system/hinge-station-sync.service").read_text()
    assert "ExecStart=/opt/hinge-station/venv/bin/station sync" in sync_unit
    secret = root / "etc/hinge-station/db-password"
    assert secret.exists() and secret.stat().st_mode & 0o777 == 0o600  # root only, empty until filled
    assert not log.exists()
    assert "not run on this host: useradd --system" in second.stdout and "hinge-station-sync" in second.stdout
    assert "not run on this host: systemctl enable hinge-station-sync.service" in second.stdout


def test_the_real_run_needs_root_without_a_root_folder(tmp_path):
    if os.geteuid() == 0:
        env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
        (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")
        (tmp_path / "id").chmod(0o755)
    else:
        env = dict(os.environ)
    result = subprocess.run(["bash", str(ROOT / "install.sh")], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "run it as root" in result.stderr


def test_unknown_options_are_refused():
    result = subprocess.run(["bash", str(ROOT / "install.sh"), "--bogus"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown option" in result.stderr


def test_shared_files_exist():
    assert Path(ROOT / "systemd/config.toml").exists()


def test_dry_run_with_sync_names_the_sender_and_the_default_leaves_it_off(tmp_path):
    run = [["bash", str(ROOT / "install.sh"), "--dry-run", *extra] for extra in ([], ["--sync"])]
    plain, synced = (subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path) for cmd in run)
    assert plain.returncode == 0 and synced.returncode == 0
    assert "hinge-station-sync.service" not in plain.stdout
    assert "hinge-station-sync.service" in synced.stdout and "db-password (root only, mode 0600" in synced.stdout


def test_a_real_install_checks_where_it_runs_and_asks_first(tmp_path):
    """Issue 19: on plain Debian it died on a bare apt error, and it asked nothing."""
    if os.geteuid() != 0:
        pytest.skip("the real path is refused before these checks without root")
    here = subprocess.run(["bash", str(ROOT / "install.sh")], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)  # fmt: skip
    if "Raspberry Pi" in here.stdout.splitlines()[0] and "not a Raspberry Pi" not in here.stdout:
        pytest.skip("this machine is a Raspberry Pi")
    assert here.returncode == 2 and "the kiosk needs Raspberry Pi OS Bookworm or Trixie on a Pi 4 or 5" in here.stderr
    assert "--force" in here.stderr and "==> Install apt packages" not in here.stdout
    forced = subprocess.run(["bash", str(ROOT / "install.sh"), "--force"], capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert forced.returncode == 2 and "add --yes to go ahead" in forced.stderr
    assert "    - Install apt packages" in forced.stdout  # what it would do, listed before it asks


def test_bookworm_pins_are_one_list_read_by_both_installers():
    """Issue 18: unpinned, pip on arm64 Bookworm fetched six OpenCV releases (297 MB) before settling."""
    pins = [line for line in (ROOT / "scripts/bookworm-pins.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]  # fmt: skip
    assert pins == ["numpy<2", "opencv-python-headless<4.12", "ml-dtypes<0.6"]
    assert "scripts/bookworm-pins.txt" in (ROOT / "install.sh").read_text()
    assert "scripts/bookworm-pins.txt" in (ROOT / "scripts/venv.sh").read_text()
