"""Where the station keeps its model and set history, so every command agrees on it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SYSTEM_DATA_DIR = Path("/var/lib/hinge-station")


def data_dir(create: bool = True) -> Path:
    """`STATION_DATA_DIR`, else /var/lib/hinge-station where writable, else the XDG data folder.

    `create`: make the folder (one sentence if it cannot be: a file in the way, no permission)."""
    explicit = os.environ.get("STATION_DATA_DIR")
    if explicit:
        path = Path(explicit)
    elif SYSTEM_DATA_DIR.is_dir() and os.access(SYSTEM_DATA_DIR, os.W_OK):
        path = SYSTEM_DATA_DIR
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "hinge-station"
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from station.errors import StationError

            raise StationError(
                f"The data folder {path} cannot be used ({exc.strerror or exc}): set STATION_DATA_DIR to a folder "
                "the station may write."
            ) from None
    return path


def refuse_foreign_folder(folder: Path) -> None:
    """Root writing into the kiosk user's data folder would leave files the kiosk cannot write (every
    set would then wait in the journal): refused, with the command that works."""
    if os.geteuid() != 0:
        return
    try:
        owner = folder.stat().st_uid
    except OSError:
        return
    if owner != 0:
        import pwd

        from station.errors import StationError

        try:
            name = pwd.getpwuid(owner).pw_name
        except KeyError:
            name = str(owner)
        raise StationError(f"The data folder {folder} belongs to user {name}: run this as that user "
                           f"(sudo -u {name} station ...), so the kiosk can still write its files.")  # fmt: skip


def station_command() -> str:
    """How to call `station` where a message is read: plain `station` when that is this install on
    the PATH (a Pi after install.sh), else this virtualenv's own script (`.venv/bin/station` after
    ./station.sh or ./test.sh), so every command a message names works as written."""
    here = Path(sys.executable).parent / "station"
    found = shutil.which("station")
    if found and here.exists() and Path(found).resolve() == here.resolve():
        return "station"
    if here.exists():
        try:
            return str(here.relative_to(Path.cwd()))
        except ValueError:
            return str(here)
    return f"{sys.executable} -m station"
