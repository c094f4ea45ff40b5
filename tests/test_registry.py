"""The fault registry: one entry a fault, the README's threshold table made from it."""

from dataclasses import fields

import pytest

from station.core.drills import DRILLS, FAULT_CUES, FAULT_IDS, Thresholds
from station.core.registry import FAULTS, OUTLINE_VIEW, SAGITTAL, ViewGate, threshold_table
from tests.conftest import ROOT

README_BEGIN, README_END = "<!-- thresholds: begin -->", "<!-- thresholds: end -->"


def test_every_fault_is_one_complete_entry():
    assert tuple(FAULTS) == FAULT_IDS
    names = {f.name for f in fields(Thresholds)}
    for spec in FAULTS.values():
        assert spec.name and spec.cue and spec.praise and spec.rule
        assert spec.phase in ("bottom", "pull", "top")
        assert spec.thresholds and set(spec.thresholds) <= names, spec.id
        for key, evidence in spec.evidence.items():
            drill, name = key.split(".")
            assert (drill == "*" or drill in DRILLS) and name in spec.thresholds and evidence.source, key
        assert FAULT_CUES[spec.id] == spec.cue  # the drills' words are the registry's


@pytest.mark.parametrize(
    ("gate", "yaw", "turn", "allowed"),
    [
        (SAGITTAL, 10.0, 0, True), (SAGITTAL, 45.0, 1, True), (SAGITTAL, 45.0, -1, True), (SAGITTAL, 70.0, 1, False),
        (OUTLINE_VIEW, 10.0, 0, True), (OUTLINE_VIEW, 45.0, 1, False), (OUTLINE_VIEW, 45.0, -1, True),
        (OUTLINE_VIEW, None, 0, False),
    ],
)  # fmt: skip
def test_view_gates_know_towards_from_away(gate: ViewGate, yaw, turn, allowed):
    assert gate.allows(yaw, turn) is allowed


def test_the_readme_threshold_table_is_the_registrys():
    """The README shows the table `threshold_table` makes; change a threshold and this says so."""
    readme = (ROOT / "README.md").read_text()
    docs = (ROOT / "docs" / "coach.md").read_text()
    text = docs if README_BEGIN in docs else readme
    shown = text.split(README_BEGIN)[1].split(README_END)[0].strip()
    assert shown == threshold_table(DRILLS), "regenerate the table: python -m station.core.drills"
