"""The two README commands' shell side: one venv recipe, no reinstall, a clear word without a screen."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

VENV = Path(sys.prefix)


def _bash(script: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "STATION_VENV": str(VENV), **env}
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, env=full, timeout=600)


@pytest.mark.skipif(not (VENV / ".hinge-station-installed").exists(), reason="not run in the recipe's venv")
def test_the_recipe_installs_nothing_when_nothing_changed():
    result = _bash("source scripts/venv.sh && echo ready")
    assert result.returncode == 0 and result.stdout.strip() == "ready"
    assert "Setting up" not in result.stderr  # the stamp says it is installed


def test_both_commands_use_the_same_recipe():
    for script in ("station.sh", "test.sh"):
        assert "source scripts/venv.sh" in (ROOT / script).read_text()
    assert "--system-site-packages" in (ROOT / "scripts/venv.sh").read_text()


@pytest.mark.skipif(Path("/proc/device-tree/model").exists(), reason="on a Pi the kiosk takes the screen")
def test_station_sh_without_a_screen_says_so_and_exits_2():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env["STATION_VENV"] = str(VENV)
    result = subprocess.run(["bash", "station.sh"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 2 and result.stdout == ""
    assert "there is no screen here" in result.stderr.splitlines()[-1]


def test_the_pi_check_compares_reps_faults_and_figures_against_its_tolerance(tmp_path, capsys):
    """scripts/pi_compare.py: identical calls pass; a changed fault fails; a figure past the tolerance is
    named; the whole answer is said identical only where it is."""
    import json

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from pi_compare import TOLERANCE, compare, main
    finally:
        sys.path.pop(0)
    rep = {"index": 1, "start_s": 1.0, "bottom_s": 2.0, "end_s": 3.0, "faults": ["knees_forward"],
           "metrics": {"bottom_shin_lean": 30.0, "hip_down": 0.2}}  # fmt: skip
    x86 = {"reps": 1, "rep_list": [rep]}
    near = {"reps": 1, "rep_list": [{**rep, "start_s": 1.2, "metrics": {"bottom_shin_lean": 34.0, "hip_down": 0.25}}]}
    same, worst, over = compare(x86, near)
    assert same and worst["bottom_shin_lean"] == 4.0 and abs(worst["start_s"] - 0.2) < 1e-9 and over == []
    far = {"reps": 1, "rep_list": [{**rep, "metrics": {"bottom_shin_lean": 30.0 + TOLERANCE["deg"] + 1}}]}
    assert compare(x86, far)[2] == [f"bottom_shin_lean {TOLERANCE['deg'] + 1:.3g} deg"]
    other = {"reps": 1, "rep_list": [{**rep, "faults": []}]}
    assert not compare(x86, other)[0]
    for name, data in (("x.json", x86), ("near.json", near), ("other.json", other)):
        (tmp_path / name).write_text(json.dumps(data))
    assert main(["trixie", "a.mp4", str(tmp_path / "x.json"), str(tmp_path / "near.json")]) == 0
    assert main(["trixie", "a.mp4", str(tmp_path / "x.json"), str(tmp_path / "other.json")]) == 1
    capsys.readouterr()
    main(["trixie", "a.mp4", str(tmp_path / "x.json"), str(tmp_path / "x.json")])
    assert "| identical | identical |" in capsys.readouterr().out  # the whole answer, every figure and all
    main(["trixie", "a.mp4", str(tmp_path / "x.json"), str(tmp_path / "near.json")])
    assert "| identical | differs |" in capsys.readouterr().out  # same calls, other figures


def test_compare_reps_measures_each_figure_and_lists_the_calls_that_part(tmp_path, capsys):
    """scripts/compare_reps.py: two calibration tables of the same clips (other kernels)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from compare_reps import FIGURES, main
    finally:
        sys.path.pop(0)
    header = ["clip", "rep", "faults", *FIGURES]
    same = ["0.1", "0.2", "0.3", "2.0", "175", "1.0", "5", "0.4"]  # head drop .. depth: alike on both sides
    rows_a = [["a.mp4", "1", "", "10.0", "0.05", *same], ["a.mp4", "2", "knees_forward", "40.0", "", *same]]
    rows_b = [["a.mp4", "1", "", "13.0", "0.05", *same], ["a.mp4", "2", "", "35.0", "", *same]]
    for name, rows in (("a.csv", rows_a), ("b.csv", rows_b)):
        (tmp_path / name).write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    assert main([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 0
    out = capsys.readouterr().out
    assert "| bottom_shin_lean | 2 | 4 |" in out and "| back_curve | 1 | 0 |" in out
    assert "reps whose calls differ: 1" in out and "- a.mp4#2: 'knees_forward' / ''" in out


def test_every_screen_is_drawn_at_fixed_times_and_twice_gives_the_same_pixels(tmp_path):
    """scripts/draw_screens.py: the way to look at the screens, and to show a refactor changed none."""
    import filecmp

    first = _bash(f"{sys.executable} scripts/draw_screens.py {tmp_path / 'a'}", SDL_VIDEODRIVER="dummy")
    second = _bash(f"{sys.executable} scripts/draw_screens.py {tmp_path / 'b'}", SDL_VIDEODRIVER="dummy")
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-1500:]
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 14 and "summary-800x480.png" in names
    _, differ, _ = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert all(n.startswith("summary") for n in differ), differ  # only the take-home code may (its minute)
