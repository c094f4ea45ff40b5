"""The set journal: an append-only file where a finished set is safe before anything can block.

A set is written here (and flushed to disk) before the history is even tried, so a locked
database, a kill or a power cut after the set ended cannot lose it. Each line is one set as JSON,
a tab, and the CRC-32 of the JSON: a line cut short by a crash, or a damaged byte, is recognised
and kept aside in its own file (never dropped), and the next set starts on a line of its own.
Appends and compaction hold one lock, so two kiosks on one folder keep each other's sets.
Nothing here follows a symbolic link or opens a FIFO or device in place of the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import stat
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from station.core.coach.setreport import SetReport

log = logging.getLogger(__name__)

JOURNAL_NAME = "pending-sets.jsonl"
DAMAGED_NAME = "pending-sets.damaged"  # lines that cannot be read back, kept for a person to look at
LOCK_NAME = ".pending-sets.lock"
FILE_MODE = 0o640  # the kiosk's files: its group (the owner's account) reads them, nobody else
REPLAY_MARK = "hinge-set "  # a set that nothing on disk could take, as the system log holds it


def encode(entry: dict) -> bytes:
    """One set as one self-checking line."""
    text = json.dumps(entry, separators=(",", ":"), ensure_ascii=True)
    return f"{text}\t{zlib.crc32(text.encode('ascii')):08x}\n".encode("ascii")


def decode(line: bytes) -> dict | None:
    """The set on a journal line, or None when the line is cut short, damaged or not a set.

    Also reads a line without its checksum (journals of earlier versions, a JSON line from the log)."""
    line = line.rstrip(b"\r\n")
    body = line
    if b"\t" in line:
        body, crc = line.rsplit(b"\t", 1)
        try:
            if int(crc, 16) != zlib.crc32(body):
                return None
        except ValueError:
            return None
    try:
        entry = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return entry if valid_entry(entry) else None


def valid_entry(entry: object) -> bool:
    """Whether a decoded object is a set the history can store (a uid, a finish time, a report)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("uid"), str) or not entry["uid"]:
        return False
    try:
        datetime.fromisoformat(entry["finished_at"])
        SetReport.from_json(entry["report"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True


def replay_line(entry: dict) -> str:
    """How a set that nothing on disk could take is written to the system log."""
    return REPLAY_MARK + json.dumps(entry, separators=(",", ":"))


def sets_in_text(data: bytes) -> tuple[list[dict], int]:
    """The sets in a file a person hands to `station history --import`: a journal, its damaged
    lines, or the system log (lines holding `hinge-set {...}`). Returns (sets, lines that looked
    like a set but are not one); the log's other lines are passed over."""
    found, unreadable = [], 0
    for raw in data.splitlines():
        at = raw.find(REPLAY_MARK.encode())
        line = raw[at + len(REPLAY_MARK) :] if at >= 0 else raw.strip()
        if at < 0 and not line.startswith(b"{"):
            continue
        entry = decode(line)
        if entry is None:
            unreadable += 1
        else:
            found.append(entry)
    return found, unreadable


def _open_regular(path: Path, flags: int) -> int:
    """A file descriptor for a regular file only: a link, FIFO or device is refused at once."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, FILE_MODE)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return fd


class Journal:
    """The journal file of one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / JOURNAL_NAME
        self.damaged = folder / DAMAGED_NAME

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = _open_regular(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def append(self, entry: dict) -> None:
        """Write one set and flush it to disk (OSError when the disk cannot take it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._locked():
            fd = _open_regular(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
            try:
                size = os.fstat(fd).st_size
                # A line cut short by a crash is ended here, so this set gets a line of its own.
                prefix = b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""
                _write_all(fd, prefix + encode(entry))
                os.fsync(fd)
            finally:
                os.close(fd)
            if not size:
                _sync_folder(self.folder)  # the new file's name is on disk too

    def read(self) -> tuple[list[dict], list[bytes]]:
        """The sets in the journal, and the lines that cannot be read back."""
        try:
            fd = _open_regular(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return [], []
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        entries, damaged = [], []
        for line in data.splitlines(keepends=True):
            if not line.strip():
                continue
            entry = decode(line)
            if entry is None:
                damaged.append(line if line.endswith(b"\n") else line + b"\n")
            else:
                entries.append(entry)
        return entries, damaged

    def count(self) -> int:
        """Sets waiting in the journal (for `station status`; 0 when it cannot be read)."""
        try:
            return len(self.read()[0])
        except OSError:
            return 0

    def compact(self, written: set[str]) -> int:
        """Drop the sets the history now holds; damaged lines go aside first. Returns the sets left.

        Under the lock, the file is read again: a set another kiosk appended meanwhile stays."""
        with self._locked():
            entries, damaged = self.read()
            if damaged:
                self.set_aside(damaged)
            left = [e for e in entries if e["uid"] not in written]
            if not left:
                self.path.unlink(missing_ok=True)
                return 0
            if len(left) == len(entries) and not damaged:
                return len(left)
            tmp = self.path.with_name(f".{JOURNAL_NAME}.tmp")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            fd = _open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            try:
                _write_all(fd, b"".join(encode(e) for e in left))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            return len(left)

    def set_aside(self, lines: list[bytes]) -> None:
        """Keep unreadable lines in the damaged file (appended, flushed), with one log line."""
        fd = _open_regular(self.damaged, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            _write_all(fd, b"".join(lines))
            os.fsync(fd)
        finally:
            os.close(fd)
        log.warning("%d unreadable line(s) of the set journal kept aside in %s (a crash mid-write or a "
                    "damaged disk; `station history --import` takes back any whole set in it)", len(lines),
                    self.damaged)  # fmt: skip


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
