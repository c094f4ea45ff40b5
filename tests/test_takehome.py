"""The take-home text and its QR code: every fault with its cue and reps, short enough to scan."""

from datetime import datetime

import cv2
import numpy as np

from station.core.coach.setreport import Rep, SetReport
from station.core.drills import DRILLS, FAULT_NAMES
from station.core.takehome import take_home, take_home_text

WHEN = datetime(2026, 11, 29, 18, 5)


def _rep(i: int, faults=(), judged=True) -> Rep:
    return Rep(i, 3.0 * i, 3.0 * i + 1, 3.0 * i + 2, tuple(faults), {"eccentric_s": 1.5, "concentric_s": 0.7}, judged)


def test_the_text_names_drill_date_reps_tempo_and_each_fault_with_its_cue():
    report = SetReport("deadlift", (_rep(1), _rep(2, ["hips_rise_first"]), _rep(3, ["hips_rise_first", "no_lockout"])))
    text = take_home_text(report, "Deadlift", WHEN)
    assert text.splitlines()[:4] == ["Hinge Station: Deadlift", "Sun 29 Nov 2026, 18:05", "3 reps, 1 good",
                                     "Tempo: 1.5 s down, 0.7 s up"]  # fmt: skip
    assert "- Hips rise first (reps 2-3): Chest and hips rise together" in text
    assert "- No lockout (rep 3): Stand tall: squeeze the glutes at the top" in text


def test_a_clean_set_says_so_and_an_unjudged_one_does_not_praise():
    assert "Every rep clean" in take_home_text(SetReport("rdl", (_rep(1), _rep(2))), "RDL", WHEN)
    unjudged = take_home_text(SetReport("rdl", (_rep(1, judged=False),)), "RDL", WHEN)
    assert "1 reps, 0 good" in unjudged and "clean" not in unjudged


def test_a_long_faulty_set_still_makes_a_code_that_scans_from_a_metre():
    faults = DRILLS["kb-swing"].faults  # the most faults a drill has (five), on sixty reps
    report = SetReport("kb-swing", tuple(_rep(i + 1, faults[: 1 + i % len(faults)]) for i in range(60)))
    full = take_home_text(report, "Kettlebell swing", WHEN)
    assert "- Back rounding (reps 1-60): " in full  # runs of reps, not sixty numbers
    assert "(reps 5, 10, 15, 20, 25, 30 and 6 more)" in full
    text, matrix = take_home(report, "Kettlebell swing", WHEN)
    assert len(text) < len(full) and all(f"- {FAULT_NAMES[f]} (" in text for f in faults)  # every fault kept
    assert matrix.shape[0] <= 69  # version 13 at most: 5 px a module in the summary's 400 px at 1080p
    for unit in (5, 3):
        image = np.pad(matrix, 4).repeat(unit, 0).repeat(unit, 1)
        decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(np.where(image, 0, 255).astype(np.uint8))
        assert decoded == text


def test_a_short_set_keeps_every_rep_listed():
    report = SetReport("rdl", (_rep(1, ["hips_drop"]), _rep(2), _rep(3, ["hips_drop"])))
    text, matrix = take_home(report, "Romanian deadlift", WHEN)
    assert text == take_home_text(report, "Romanian deadlift", WHEN) and "(reps 1, 3)" in text
    assert matrix.shape[0] <= 57
