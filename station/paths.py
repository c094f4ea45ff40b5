"""Where the station keeps its model and set history, so every command agrees on it."""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_DATA_DIR = Path("/var/lib/hinge-station")


def data_dir() -> Path:
    """`STATION_DATA_DIR`, else /var/lib/hinge-station where writable, else the XDG data folder."""
    explicit = os.environ.get("STATION_DATA_DIR")
    if explicit:
        path = Path(explicit)
    elif SYSTEM_DATA_DIR.is_dir() and os.access(SYSTEM_DATA_DIR, os.W_OK):
        path = SYSTEM_DATA_DIR
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "hinge-station"
    path.mkdir(parents=True, exist_ok=True)
    return path
