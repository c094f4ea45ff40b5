"""The set journal: self-checking lines, damaged ones kept aside, never a FIFO, link or device."""

import json
import logging
import os
import threading
import zlib

import pytest

from station.core.coach.setreport import Rep, SetReport
from station.edges.storage.journal import (
    DAMAGED_NAME,
    JOURNAL_NAME,
    Journal,
    decode,
    encode,
    replay_line,
    sets_in_text,
)


def _entry(uid: str, reps: int = 2) -> dict:
    rep_list = tuple(Rep(i + 1, i * 2.0, i * 2.0 + 1, i * 2.0 + 2, (), {}, True) for i in range(reps))
    return {"uid": uid, "finished_at": "2026-12-02T07:00:00+00:00", "clock_synced": True,
            "report": SetReport("rdl", rep_list, 100, 100).to_json()}  # fmt: skip


def test_a_line_is_one_set_with_its_checksum_and_a_changed_byte_is_caught():
    line = encode(_entry("a"))
    body, crc = line.rstrip(b"\n").rsplit(b"\t", 1)
    assert int(crc, 16) == zlib.crc32(body) and decode(line)["uid"] == "a"
    flipped = line.replace(b'"rdl"', b'"rdm"')  # still valid JSON: only the checksum sees it
    assert json.loads(flipped.rsplit(b"\t", 1)[0]) and decode(flipped) is None
    assert decode(line[:-12]) is None  # cut short
    assert decode(json.dumps(_entry("old")).encode()) is not None  # an earlier version's line, without a checksum
    assert decode(b'{"uid": "x"}') is None  # JSON, but not a set


def test_a_cut_last_line_and_a_new_set_are_both_kept(tmp_path, caplog):
    """Issue 17 #2: a crash cut the last line short; the next set starts a line of its own and
    compaction keeps the cut line aside (not dropped) with one log line."""
    journal = Journal(tmp_path)
    journal.append(_entry("first"))
    cut = encode(_entry("cut"))[:40]
    with open(tmp_path / JOURNAL_NAME, "ab") as f:
        f.write(cut)  # the crash
    journal.append(_entry("new"))
    entries, damaged = journal.read()
    assert [e["uid"] for e in entries] == ["first", "new"] and damaged == [cut + b"\n"]
    caplog.set_level(logging.WARNING, logger="station.edges.storage.journal")
    assert journal.compact({"first", "new"}) == 0
    assert not (tmp_path / JOURNAL_NAME).exists()
    assert (tmp_path / DAMAGED_NAME).read_bytes() == cut + b"\n"
    assert caplog.text.count("kept aside") == 1


def test_a_byte_that_is_not_utf8_damages_one_line_not_the_journal(tmp_path):
    """Issue 17 #6: one stray byte used to stop every start with a traceback."""
    journal = Journal(tmp_path)
    journal.append(_entry("a"))
    with open(tmp_path / JOURNAL_NAME, "ab") as f:
        f.write(b'{"uid": "\xff\xfe"}\n')
    journal.append(_entry("b"))
    entries, damaged = journal.read()
    assert [e["uid"] for e in entries] == ["a", "b"] and len(damaged) == 1


def test_compaction_keeps_sets_not_yet_written_and_what_another_kiosk_appended(tmp_path):
    journal = Journal(tmp_path)
    for uid in ("a", "b", "c"):
        journal.append(_entry(uid))
    assert journal.compact({"a"}) == 2
    assert [e["uid"] for e in journal.read()[0]] == ["b", "c"]
    assert journal.count() == 2


def test_two_writers_at_once_lose_no_line(tmp_path):
    journals = [Journal(tmp_path), Journal(tmp_path)]
    errors: list[Exception] = []

    def write(j: Journal, tag: str) -> None:
        try:
            for i in range(40):
                j.append(_entry(f"{tag}{i}"))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(j, t)) for j, t in zip(journals, "xy", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries, damaged = journals[0].read()
    assert not errors and not damaged and len({e["uid"] for e in entries}) == 80


def test_a_fifo_or_a_link_in_place_of_the_journal_is_refused_at_once(tmp_path):
    """Issue 17 #11 (a FIFO blocked forever) and #14 (links were followed)."""
    os.mkfifo(tmp_path / JOURNAL_NAME)
    journal = Journal(tmp_path)
    with pytest.raises(OSError, match="not a regular file"):
        journal.append(_entry("a"))
    with pytest.raises(OSError, match="not a regular file"):
        journal.read()
    os.unlink(tmp_path / JOURNAL_NAME)
    (tmp_path / "elsewhere").write_text("")
    os.symlink(tmp_path / "elsewhere", tmp_path / JOURNAL_NAME)
    with pytest.raises(OSError):
        journal.append(_entry("a"))
    assert (tmp_path / "elsewhere").read_text() == ""


def test_the_journal_is_readable_by_the_group_only(tmp_path):
    old = os.umask(0o022)
    try:
        Journal(tmp_path).append(_entry("a"))
    finally:
        os.umask(old)
    assert (tmp_path / JOURNAL_NAME).stat().st_mode & 0o777 == 0o640


def test_sets_are_found_in_a_saved_system_log_and_in_journal_lines():
    log_text = (
        "Dec 02 07:00:01 pi station[812]: WARNING history not saved\n"
        f"Dec 02 07:00:01 pi station[812]: ERROR the set journal cannot be written: {replay_line(_entry('a'))}\n"
        "Dec 02 07:00:09 pi station[812]: hinge-set {broken\n"
    ).encode() + encode(_entry("b"))
    found, unreadable = sets_in_text(log_text)
    assert [e["uid"] for e in found] == ["a", "b"] and unreadable == 1
