"""Shared fixtures: the stand-ins for hardware, and the shared data (which must be present)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STATION_SHARED", ROOT.parent / "shared"))

# Stand-ins for the screen, the sound card and the GPIO header, before anything imports them.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("STATION_MODEL_DIR", str(SHARED / "models"))


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes its history and model copy into a fresh folder, never /var/lib."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("STATION_DATA_DIR", str(path))
    return path


def shared_path(*parts: str) -> Path:
    """A file from ../shared; its absence fails the test loudly (CI must have the data)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared data missing: {path} (set STATION_SHARED or put shared/ beside the repo)")
    return path


@pytest.fixture(scope="session")
def movenet_model():
    """One loaded interpreter for the whole run (the pose tests reset its crop between uses)."""
    from station.pose.model import MODEL_FILE, verify
    from station.pose.runtime import load_interpreter

    path = shared_path("models", MODEL_FILE)
    verify(path)
    return load_interpreter(path)


@pytest.fixture
def movenet(movenet_model):
    from station.pose.movenet import MoveNet

    return MoveNet(movenet_model)
