import os
from pathlib import Path

import pytest

from station.edges.pose import model
from station.errors import StationError
from tests.conftest import shared_path
from tests.helpers import station, tmpfs


@pytest.fixture
def good_dir() -> Path:
    return shared_path("models")


def test_verify_accepts_the_real_model_and_refuses_one_changed_byte(good_dir, tmp_path):
    model.verify(good_dir / model.MODEL_FILE)  # no error: the real one
    changed = tmp_path / model.MODEL_FILE
    data = bytearray((good_dir / model.MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 1
    changed.write_bytes(bytes(data))
    with pytest.raises(StationError):
        model.verify(changed)


def test_install_from_folder_copies_and_verifies(good_dir, tmp_path):
    dest = tmp_path / "m" / model.MODEL_FILE
    before = sorted(os.listdir(good_dir))
    out = model.install(good_dir, dest)
    assert out == dest and model.sha256_of(dest) == model.MODEL_SHA256
    assert sorted(os.listdir(good_dir)) == before  # the source folder is only read
    assert list(dest.parent.iterdir()) == [dest]  # no temporary file left behind


def test_install_from_env_folder(good_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(model.ENV_MODEL_DIR, str(good_dir))
    assert model.install(dest=tmp_path / model.MODEL_FILE).exists()


@pytest.mark.parametrize("damage", ["truncated", "wrong", "empty"])
def test_a_bad_local_copy_is_refused_and_nothing_kept(good_dir, tmp_path, damage):
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    data = (good_dir / model.MODEL_FILE).read_bytes()
    data = {"truncated": data[: len(data) // 2], "wrong": b"x" * len(data), "empty": b""}[damage]
    (bad_dir / model.MODEL_FILE).write_bytes(data)
    dest_dir = tmp_path / "dest"
    with pytest.raises(StationError, match="damaged or the wrong file"):
        model.install(bad_dir, dest_dir / model.MODEL_FILE)
    assert not any(dest_dir.iterdir())


def test_download_is_verified_and_a_bad_download_never_kept(good_dir, tmp_path, monkeypatch):
    monkeypatch.delenv(model.ENV_MODEL_DIR, raising=False)
    dest = tmp_path / model.MODEL_FILE
    urls = []

    def broken_fetch(url: str, out: Path) -> None:
        urls.append(url)
        out.write_bytes(b"<html>not a model</html>")

    with pytest.raises(StationError, match="could not be downloaded"):
        model.install(dest=dest, fetch=broken_fetch)
    assert urls == list(model.MODEL_URLS)
    assert not dest.exists() and list(tmp_path.iterdir()) == []

    def good_fetch(url: str, out: Path) -> None:
        out.write_bytes((good_dir / model.MODEL_FILE).read_bytes())

    assert model.install(dest=dest, fetch=good_fetch) == dest
    model.verify(dest)


def test_a_damaged_installed_model_is_replaced(good_dir, tmp_path):
    dest = tmp_path / model.MODEL_FILE
    dest.write_bytes(b"junk")
    model.install(good_dir, dest)
    assert model.sha256_of(dest) == model.MODEL_SHA256


def test_find_model_prefers_installed_then_env(good_dir, monkeypatch):
    monkeypatch.setenv(model.ENV_MODEL_DIR, str(good_dir))
    assert model.find_model() == good_dir / model.MODEL_FILE
    model.install()
    assert model.find_model() == model.installed_path()
    monkeypatch.delenv(model.ENV_MODEL_DIR)
    model.installed_path().write_bytes(b"corrupt")
    with pytest.raises(StationError, match="damaged"):
        model.find_model()


def test_a_folder_where_the_model_should_be_is_one_sentence(tmp_path):
    path = tmp_path / model.MODEL_FILE
    path.mkdir()
    with pytest.raises(StationError, match="missing"):
        model.verify(path)


def test_cli_check_missing_model_says_one_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != model.ENV_MODEL_DIR}
    env["STATION_DATA_DIR"] = str(tmp_path)
    result = station("model", "check", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "station model install" in lines[0] and "Traceback" not in result.stderr


def test_cli_install_then_check(good_dir, tmp_path):
    env = dict(os.environ, STATION_DATA_DIR=str(tmp_path))
    env.pop(model.ENV_MODEL_DIR, None)
    result = station("model", "install", "--from", str(good_dir), env=env)
    assert result.returncode == 0, result.stderr
    result = station("model", "check", env=env)
    assert result.returncode == 0 and "verified" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_install_from_the_file_itself_and_readable_by_the_service_user_whoever_installs(good_dir, tmp_path):
    dest = tmp_path / "models" / model.MODEL_FILE
    old = os.umask(0o077)  # root's sudo umask on some systems: files would be 0600
    try:
        model.install(good_dir / model.MODEL_FILE, dest)
    finally:
        os.umask(old)
    assert dest.stat().st_mode & 0o777 == 0o644 and dest.parent.stat().st_mode & 0o777 == 0o755


def test_a_wrong_from_path_names_what_to_give():
    with pytest.raises(StationError, match=r"name movenet_singlepose_lightning_int8_4\.tflite or the folder"):
        model.install(Path("/nonexistent/movenet.tflite"), Path("/tmp/unused") / model.MODEL_FILE)


def test_a_folder_that_cannot_be_written_is_one_sentence(good_dir, tmp_path):
    if os.geteuid() != 0:  # anyone else is refused by the folder's mode
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        with pytest.raises(StationError, match="cannot be written"):
            model.install(good_dir, ro / model.MODEL_FILE)
        return
    # Root writes anywhere but on a read-only file system.
    with tmpfs(tmp_path / "ro", "ro,size=64k") as ro, pytest.raises(StationError, match="cannot be written"):
        model.install(good_dir, ro / model.MODEL_FILE)
