import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import shared_path
from tests.helpers import station


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
    result = station("bench", str(shared_path("footage", "barbell-deadlift_side_good-pull.mp4")), "--no-live")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    for stage in ("decode", "crop and resize", "invoke", "postprocess", "bare invoke", "peak memory"):
        assert any(line.startswith(stage) for line in lines), stage
    assert re.fullmatch(r"pipeline/invoke: \d+\.\d+", lines[-1])


def test_bench_measures_the_screen_and_the_live_path(tmp_path, monkeypatch):
    """The same functions `station bench` runs after the stages (shortened: one size, three seconds)."""
    from station.tools.bench import bench_live, bench_ui

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    lines: list[str] = []
    bench_ui(sizes=((800, 480),), out=lines.append)
    bench_live(shared_path("footage", "barbell-deadlift_side_good-pull.mp4"), seconds=3.0, out=lines.append)
    for stage in ("ui redraw 800x480:", "ui redraw 800x480 after a 10-minute set:", "frames shown", "screen redraws",
                  "capture to lamp", "cpu ui thread:", "cpu capture and pose:", "first frame on screen:"):  # fmt: skip
        assert any(line.startswith(stage) for line in lines), (stage, lines)
    redraw = next(line for line in lines if line.startswith("ui redraw 800x480:"))
    assert re.match(r"ui redraw 800x480: \d+\.\d+ ms CPU", redraw)


@pytest.mark.parametrize(("args", "phrase"), [
    (["run", "--source", "synthetic:rdl", "--size", "800"], "--size takes"),
    (["run", "--source", "synthetic:rdl", "--size", "800x"], "--size takes"),
    (["run", "--source", "synthetic:rdl", "--size", "800x480x3"], "--size takes"),
    (["run", "--source", "synthetic:rdl", "--seconds", "nan"], "--seconds takes"),
    (["run", "--source", "synthetic:rdl", "--seconds", "0"], "--seconds takes"),
    (["run", "--source", "synthetic:rdl", "--screenshot", "/nonexistent-folder/x.png"], "There is no folder"),
    (["run", "--source", "synthetic:rdl", "--screenshot", "shot.txt"], "must end in .png"),
    (["run", "--source", "synthetic:rdl", "--screenshot", "x" * 300 + ".png"], "longer than 255 bytes"),
    (["pose", "synthetic:rdl", "--out", "/nonexistent-folder/p.jsonl"], "There is no folder"),
    (["analyze", "clip.mp4", "--drill", "rdl", "--plot", "/nonexistent-folder/p.png"], "There is no folder"),
    (["analyze", "synthetic:rdl", "--drill", "rdl"], "for the camera or the synthetic athlete"),
    (["analyze", "camera:mock", "--drill", "rdl"], "for the camera or the synthetic athlete"),
    (["run", "--source", "camera:mock", "--drill", "rdl", "--exit-at-end"], "needs --source FILE"),
    (["soak", "--frames", "0"], "--frames must be above"),
    (["analyze", "x" * 300 + ".mp4", "--drill", "rdl"], "File name too long"),
    (["soak", "--frames", "4000"], "--frames must be above"),
    # Issue 17 #11: /proc takes no new file (root passes every access check); a FIFO would block for ever.
    (["run", "--source", "synthetic:rdl", "--screenshot", "/proc/x.png"], "cannot be written at /proc/x.png"),
    (["run", "--source", "synthetic:rdl", "--screenshot", "fifo.png"], "is not a regular file"),
    (["fleet", "report", "--db", "postgresql://x@127.0.0.1:1/x", "--html", "fifo.html"], "is not a regular file"),
    (["pose", "synthetic:rdl", "--out", "fifo.png"], "is not a regular file"),
])  # fmt: skip
def test_a_bad_output_or_option_is_one_sentence_before_any_work(args, phrase, tmp_path):
    for fifo in ("fifo.png", "fifo.html"):
        os.mkfifo(tmp_path / fifo)
    result = station(*args, timeout=60, cwd=tmp_path, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert result.returncode == 2 and result.stdout == ""
    assert phrase in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_output_piped_into_head_ends_quietly(tmp_path):
    shell = f"{sys.executable} -m station pose synthetic:rdl | head -n 2"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr


def test_a_data_folder_that_is_a_file_is_one_sentence_and_a_named_model_still_works(tmp_path):
    blocked = tmp_path / "data"
    blocked.write_text("not a folder")
    env = {**os.environ, "STATION_DATA_DIR": str(blocked / "sub"), "STATION_MODEL_DIR": str(shared_path("models"))}
    check = station("model", "check", env=env, timeout=60)
    assert check.returncode == 0, check.stderr  # STATION_MODEL_DIR names a good model
    env.pop("STATION_MODEL_DIR", None)
    check = station("model", "check", env=env, timeout=60)
    assert check.returncode == 2 and "cannot be used" in check.stderr and check.stderr.count("\n") == 1


def test_sync_and_fleet_help_and_a_switched_off_sender(tmp_path):
    for args in (["sync", "--help"], ["fleet", "report", "--help"], ["fleet", "bench", "--help"]):
        run = station(*args, timeout=60)
        assert run.returncode == 0 and "usage:" in run.stdout
    config = tmp_path / "config.toml"
    config.write_text("[sync]\nenabled = false\n")
    off = station("sync", "--config", str(config), timeout=60, env={**os.environ, "STATION_DATA_DIR": str(tmp_path)})
    assert off.returncode == 0 and "syncing is off" in off.stderr  # systemd is not asked to restart it
    bad = station("fleet", "report", "--db", "mysql://x", timeout=60)
    assert bad.returncode == 2 and bad.stderr == "station: --db takes postgresql://USER@HOST:5432/DBNAME.\n"


def test_analyze_at_a_pis_pose_rate_gives_json(tmp_path):
    """`station analyze CLIP --drill D --pose-fps 10 --json`: the frames a 10 fps model would take."""
    clip = str(shared_path("footage", "band-rdl_side_good.mp4"))
    full = json.loads(station("analyze", clip, "--drill", "rdl", "--json").stdout)
    slow = station("analyze", clip, "--drill", "rdl", "--pose-fps", "10", "--json")
    assert slow.returncode == 0, slow.stderr
    report = json.loads(slow.stdout)
    assert report["reps"] == full["reps"] == 3
    assert report["frames"] < full["frames"] / 2.5  # a 30 fps clip seen at 10 poses a second
    bad = station("analyze", clip, "--drill", "rdl", "--pose-fps", "0")
    assert bad.returncode == 2 and "--pose-fps" in bad.stderr and bad.stderr.count("\n") == 1


@pytest.mark.parametrize("source", ["synthetic:rdl", "live:x.mp4"])
def test_exit_at_end_on_a_source_that_never_ends_is_refused_in_one_sentence(source):
    result = station("run", "--source", source, "--drill", "rdl", "--exit-at-end", timeout=60)
    assert result.returncode == 2 and "--seconds" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_fleet_report_refuses_a_password_on_the_command_line():
    """A command line is seen by every user of the machine: the password goes in --password-file."""
    result = station("fleet", "report", "--db", "postgresql://owner:s3cret@localhost/fleet", timeout=60)
    assert result.returncode == 2 and "--password-file" in result.stderr and "s3cret" not in result.stderr


def test_a_windowed_placement_try_keeps_its_placements_out_of_the_history(tmp_path):
    """Issue 19: `station place --windowed` recorded its placements in the station's real history."""
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path / "data"), "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}  # fmt: skip
    run = station("place", "--windowed", "--source", "synthetic:rdl", "--seconds", "1", env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-1500:]
    assert "a windowed placement try: what it records goes to" in run.stderr and "hinge-place-" in run.stderr
    assert not (tmp_path / "data" / "history.sqlite3").exists()


def test_analyze_honours_the_sites_config_and_a_broken_one_is_one_sentence(tmp_path):
    """Issue 20: `station analyze` ignored the site's [drills.*] settings, so a coach reviewing a clip got
    another answer from the kiosk on the wall."""
    clip = str(shared_path("footage", "band-rdl_side_good.mp4"))
    strict = tmp_path / "strict.toml"
    strict.write_text("[drills.rdl]\nmax_shin_lean = 2.0\n", encoding="utf-8")
    shipped = json.loads(station("analyze", clip, "--drill", "rdl", "--json").stdout)
    site = json.loads(station("analyze", clip, "--drill", "rdl", "--json", "--config", str(strict)).stdout)
    assert not any("knees_forward" in r["faults"] for r in shipped["rep_list"])
    assert all("knees_forward" in r["faults"] for r in site["rep_list"]) and site["reps"] == shipped["reps"] == 3
    broken = tmp_path / "broken.toml"
    broken.write_text("[drills.rdl\n", encoding="utf-8")
    result = station("analyze", clip, "--drill", "rdl", "--config", str(broken))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "not valid TOML" in result.stderr


@pytest.mark.parametrize("command", [["pose", "STILL"], ["bench", "--no-live"], ["views"], ["soak"],
                                     ["analyze", "STILL", "--drill", "rdl"], ["run", "--source", "STILL"]])  # fmt: skip
def test_every_command_that_runs_the_coach_or_the_model_reads_the_sites_config(command, tmp_path):
    """Issue 20: pose, bench, views and soak wired themselves from the shipped defaults. Each now takes its
    parts from compose, from the config the kiosk reads: a broken one is one sentence before any work."""
    broken = tmp_path / "broken.toml"
    broken.write_text("[pose]\nkeypoint_score = 7\n", encoding="utf-8")
    still = str(shared_path("stills", "standing_man.jpeg"))
    args = [still if a == "STILL" else a for a in command]
    run = station(*args, "--config", str(broken), timeout=60, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert "pose.keypoint_score" in run.stderr and run.stderr.count("\n") == 1, run.stderr


def test_station_pose_gives_the_keypoints_the_kiosk_would_see_with_the_sites_pose_settings(tmp_path):
    still = str(shared_path("stills", "standing_man.jpeg"))
    strict = tmp_path / "strict.toml"
    strict.write_text("[pose]\nperson_keypoints = 17\nperson_mean_score = 0.95\n", encoding="utf-8")
    shipped = json.loads(station("pose", still, timeout=60).stdout)
    site = json.loads(station("pose", still, "--config", str(strict), timeout=60).stdout)
    assert shipped["person"] and not site["person"]  # the same keypoints, judged by the site's settings
    assert site["keypoints"] == shipped["keypoints"]
