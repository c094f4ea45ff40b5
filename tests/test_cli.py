import json
import os
import re
import subprocess
import sys

from tests.conftest import shared_path


def station(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "station", *args], capture_output=True, text=True, env=dict(os.environ), timeout=timeout
    )


def test_pose_writes_one_json_object_per_frame(tmp_path):
    out = tmp_path / "poses.jsonl"
    result = station(
        "pose", str(shared_path("footage", "barbell-deadlift_side_rounded-upper-back.mp4")), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 29
    assert all(set(r) == {"t", "person", "keypoints"} and len(r["keypoints"]) == 17 for r in rows)
    assert all(len(k) == 3 for k in rows[0]["keypoints"])
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows)
    xs = [k[0] for r in rows for k in r["keypoints"]]
    assert max(xs) > 192  # source pixels (600 px wide clip), not the model's 192


def test_pose_on_a_still_to_stdout():
    result = station("pose", str(shared_path("stills", "standing_man.jpeg")))
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["person"] is True


def test_pose_on_a_missing_file_is_one_sentence(tmp_path):
    result = station("pose", str(tmp_path / "missing.mp4"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_bench_prints_stages_and_ends_with_the_ratio():
    result = station("bench", str(shared_path("footage", "barbell-deadlift_side_good-pull.mp4")))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    for stage in ("decode", "crop and resize", "invoke", "postprocess", "bare invoke", "peak memory",
                  "frames shown", "screen redraws", "capture to lamp"):  # fmt: skip
        assert any(line.startswith(stage) for line in lines), stage
    assert re.fullmatch(r"pipeline/invoke: \d+\.\d+", lines[-1])
