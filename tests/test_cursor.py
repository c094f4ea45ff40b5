"""The sender's cursor on its own: a damaged or foreign cursor offers every set again, never skips one."""

import logging

import pytest

from station.edges.storage.cursor import Cursor
from station.errors import StationError


class _History:
    def __init__(self, identity: str, last_id: int) -> None:
        self.path, self._identity, self._last = f"history-{identity}", identity, last_id

    def identity(self) -> str:
        return self._identity

    def last_id(self) -> int:
        return self._last


def test_a_new_cursor_is_at_the_start_and_a_written_one_reads_back(tmp_path):
    cursor = Cursor(tmp_path / "sync")
    assert cursor.read() == 0
    cursor.write(42, "abc")
    assert Cursor(tmp_path / "sync").read() == 42
    assert cursor.position(_History("abc", 50)) == 42


def test_a_damaged_cursor_starts_again_from_the_first_set(tmp_path, caplog):
    cursor = Cursor(tmp_path)
    cursor.path.write_text("{not json", encoding="utf-8")
    caplog.set_level(logging.WARNING)
    assert cursor.read() == 0
    assert "unreadable" in caplog.text


@pytest.mark.parametrize(("identity", "last_id"), [("other", 50), ("abc", 10)])
def test_another_history_or_a_shorter_one_is_sent_from_its_first_set(tmp_path, identity, last_id):
    cursor = Cursor(tmp_path)
    cursor.write(42, "abc")
    assert cursor.position(_History(identity, last_id)) == 0


def test_a_state_folder_it_cannot_write_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(StationError, match="the sync cursor cannot be written"):
        Cursor(blocker / "sync").write(1)
