"""The typed set report: one good-rep rule, the JSON schema kept, old journal lines still read."""

import json

from station.core.coach.setreport import Rep, SetReport


def _rep(index: int, faults=(), judged=True, unseen=(), down=None, up=None) -> Rep:
    return Rep(index, 3.0 * index, 3.0 * index + 1, 3.0 * index + 2.5, tuple(faults),
               {"eccentric_s": down, "concentric_s": up}, judged, tuple(unseen))  # fmt: skip


def test_a_good_rep_is_judged_and_clean():
    assert _rep(1).good
    assert not _rep(1, faults=["knees_forward"]).good
    assert not _rep(1, judged=False).good  # seen from the front: counted, but nothing about form was seen
    report = SetReport("rdl", (_rep(1), _rep(2, faults=["hips_drop"]), _rep(3, judged=False)))
    assert report.count == 3 and report.good_reps == 1


def test_the_json_keeps_the_analyze_schema_and_reads_back_equal():
    report = SetReport(
        "deadlift", (_rep(1, unseen=["back_rounding"], down=1.2, up=0.8), _rep(2, ["no_lockout"])), 90, 80
    )
    data = json.loads(json.dumps(report.to_json()))
    assert set(data) == {"drill", "reps", "rep_list", "frames", "person_frames"} and data["reps"] == 2
    assert data["rep_list"][0]["unseen"] == ["back_rounding"] and data["rep_list"][1]["faults"] == ["no_lockout"]
    assert SetReport.from_json(data) == report


def test_a_row_from_before_the_view_fields_reads_as_judged():
    old = {"drill": "rdl", "reps": 1, "rep_list": [{"index": 1, "start_s": 0, "bottom_s": 1, "end_s": 2,
                                                    "faults": [], "metrics": {}}]}  # fmt: skip
    report = SetReport.from_json(old)
    assert report.reps[0].judged and report.reps[0].unseen == () and report.good_reps == 1


def test_faults_tempo_and_duration():
    report = SetReport("rdl", (_rep(1, ["knees_forward"], down=1.0, up=0.6), _rep(2, down=2.0, up=0.8),
                               _rep(3, ["knees_forward", "hips_drop"], down=3.0)))  # fmt: skip
    assert report.faults() == {"knees_forward": [1, 3], "hips_drop": [3]}
    assert report.tempo() == (2.0, 0.7)
    assert report.duration_s == 3.0 * 3 + 2.5 - 3.0
    assert SetReport("rdl").tempo() == (None, None) and SetReport("rdl").duration_s == 0.0
