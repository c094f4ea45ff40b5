"""Calibration on labelled clips: every rep's metrics beside its labels, each threshold's margins, and
how the thresholds hold on lifters they were not set on (leave one source out).

A source is one upstream repository (a lifter and a room, usually): thresholds fitted without a
source's clips and then scored on them are the honest figure for a lifter nobody here has seen.
The fit is for margin on both sides: half way between the nearest clean and the nearest faulty rep
where they separate. Where they overlap, or a drill has no faulty reps to set a threshold by, the
registry's value stands (a coach's rule, not a fit).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import median
from typing import Any

from station.core.coach.faults import TOP_FAULTS, decide_rep, decide_top, outline_sure, view_allows
from station.core.drills import DRILLS, Thresholds
from station.errors import StationError


@dataclass(frozen=True)
class Knob:
    """One threshold as calibration sees it: the metric it cuts, and which side of it is faulty."""

    fault: str
    field: str  # a `drills.Thresholds` field
    metric: str  # the rep metric it is compared with
    faulty_above: bool = True  # the fault shows as the metric rising past the threshold
    sign: float = 1.0  # threshold = sign * field value (the lean back is a negative trunk lean)
    only: Callable[[dict[str, Any]], bool] | None = None  # reps the branch applies to


def _outline_read(rep: dict[str, Any]) -> bool:
    return outline_sure(rep["metrics"])


KNOBS: tuple[Knob, ...] = (
    Knob("back_rounding", "max_back_curve", "back_curve", only=_outline_read),
    Knob("back_rounding", "max_head_drop", "head_drop"),
    Knob("knees_forward", "max_shin_lean", "bottom_shin_lean"),
    Knob("hips_drop", "max_hip_drop", "hip_down"),
    Knob("hips_rise_first", "max_trunk_tip", "trunk_tip"),
    Knob("no_lockout", "lockout_hip_angle", "max_top_hip_angle", faulty_above=False),
    Knob("overextension", "max_lean_back", "min_top_torso_lean", faulty_above=False, sign=-1.0),
)


def source_of(label: dict[str, Any]) -> str:
    """The repository a clip came from: the first word of its `source`."""
    return str(label.get("source", "unknown")).split()[0]


@dataclass
class ClipResult:
    clip: str
    label: dict[str, Any]
    report: dict[str, Any]  # the SetReport's JSON

    @property
    def source(self) -> str:
        return source_of(self.label)


def load_labels(footage: Path) -> dict[str, dict[str, Any]]:
    path = footage / "labels.json"
    try:
        return json.loads(path.read_text())["clips"]
    except FileNotFoundError:
        raise StationError(f"There is no labels.json in {footage}: calibration needs labelled clips.") from None
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise StationError(f"{path} is not a labels file with a 'clips' table ({exc}).") from None


def analyse_clips(
    footage: Path, labels: dict[str, dict[str, Any]], cache: Path | None, pose_fps: float | None = None,
    progress: Callable[[str], None] | None = None, kernels: str = "auto",
) -> list[ClipResult]:  # fmt: skip
    """Every labelled clip through the pose stage (cached) and the coach, once. `kernels`: the
    model's int8 kernels (other kernels round differently, as another processor's do)."""
    from station.edges.pose.model import MODEL_SHA256
    from station.edges.pose.pipeline import RecordedPoses
    from station.tools.analyze import analyze
    from station.tools.posecache import poses_for

    model: list[Any] = []  # loaded on the first pose a cache does not hold

    def estimate(frame: Any) -> Any:
        if not model:
            from station.edges.pose.movenet import PoseSettings, load_movenet

            # Other kernels run one thread: the built-in ones slow down sixfold on two here.
            model.append(load_movenet(None if kernels == "auto" else 1, PoseSettings(kernels=kernels)))
        return model[0].estimate(frame)

    results = []
    for n, (clip, label) in enumerate(sorted(labels.items()), 1):
        path = footage / clip
        if not path.is_file():
            raise StationError(f"labels.json names {clip}, which is not in {footage}.")
        if progress:
            progress(f"[{n}/{len(labels)}] {clip}")
        if model:
            model[0].reset()  # a new clip: forget the last one's lifter
        poses = poses_for(path, lambda path=path: _frames(path), estimate, cache, MODEL_SHA256, pose_fps, kernels)
        report, _ = analyze(path, label["drill"], RecordedPoses(poses), pose_fps=pose_fps)
        results.append(ClipResult(clip, label, report.to_json()))
    return results


def _frames(path: Path) -> Iterator[Any]:
    """A clip's frames, the file opened only when a pose must be worked out (the cache has the rest)."""
    from station.edges.camera.video import VideoSource

    source = VideoSource(path)
    try:
        yield from source.frames()
    finally:
        source.close()


# -- the per-rep table ---------------------------------------------------------------------------


def rep_rows(results: Iterable[ClipResult]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        label = r.label
        for rep in r.report["rep_list"]:
            row = {
                "clip": r.clip,
                "source": r.source,
                "drill": label["drill"],
                "view": label.get("view", ""),
                "labelled": "count only" if label["faults"] is None else " ".join(label["faults"]) or "clean",
                "allowed": " ".join(label.get("allowed", [])),
                "rep": rep["index"],
                "faults": " ".join(rep["faults"]),
                "unseen": " ".join(rep.get("unseen", [])),
            }
            row.update(rep["metrics"])
            rows.append(row)
    return rows


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


# -- margins ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    value: float
    clip: str


def _kind(label: dict[str, Any], fault: str) -> str | None:
    """'faulty', 'clean' or None (count only, or allowed to light) for a clip's reps and one fault."""
    if label["faults"] is None or fault not in DRILLS[label["drill"]].faults:
        return None
    if fault in label["faults"]:
        return "faulty"
    if fault in label.get("allowed", []):
        return None
    return "clean"


def samples(results: Iterable[ClipResult], knob: Knob, drill: str) -> tuple[list[Side], list[Side]]:
    """(clean, faulty) values of the knob's metric on reps whose view shows the fault."""
    clean: list[Side] = []
    faulty: list[Side] = []
    for r in results:
        if r.label["drill"] != drill or (kind := _kind(r.label, knob.fault)) is None:
            continue
        for rep in r.report["rep_list"]:
            m = rep["metrics"]
            value = m.get(knob.metric)
            prefix = "top_" if knob.fault in TOP_FAULTS else ""
            if value is None or not view_allows(knob.fault, m, prefix) or (knob.only and not knob.only(rep)):
                continue
            (faulty if kind == "faulty" else clean).append(Side(float(value), f"{r.clip}#{rep['index']}"))
    return clean, faulty


def nearest(clean: list[Side], faulty: list[Side], knob: Knob) -> tuple[Side | None, Side | None]:
    """The clean rep nearest the faulty side and the faulty rep nearest the clean side."""
    if knob.faulty_above:
        return max(clean, key=lambda s: s.value, default=None), min(faulty, key=lambda s: s.value, default=None)
    return min(clean, key=lambda s: s.value, default=None), max(faulty, key=lambda s: s.value, default=None)


def fit(clean: list[Side], faulty: list[Side], knob: Knob, prior: float) -> float:
    """The cut with the most margin on both sides: half way between the nearest clean and faulty reps.

    Where they overlap the metric alone does not tell them apart (a fault with several branches, such
    as the back's outline or its head line, is caught by the others on some reps), and a cut placed by
    counting the few reps in the overlap is a cut fitted to those clips: the coach's value stands.
    """
    if not clean or not faulty:
        return prior
    near_clean, near_faulty = nearest(clean, faulty, knob)
    assert near_clean is not None and near_faulty is not None
    apart = near_clean.value < near_faulty.value if knob.faulty_above else near_clean.value > near_faulty.value
    return (near_clean.value + near_faulty.value) / 2.0 if apart else prior


def fitted_thresholds(results: list[ClipResult]) -> dict[str, Thresholds]:
    """Each drill's thresholds with every knob set by `fit` on `results`."""
    out = {}
    for drill_id, drill in DRILLS.items():
        th = drill.thresholds
        changes = {}
        for knob in KNOBS:
            if knob.fault not in drill.faults:
                continue
            clean, faulty = samples(results, knob, drill_id)
            prior = knob.sign * getattr(th, knob.field)
            changes[knob.field] = round(knob.sign * fit(clean, faulty, knob, prior), 4)
        out[drill_id] = replace(th, **changes)
    return out


# -- scoring ---------------------------------------------------------------------------------------


@dataclass
class Score:
    clips: int = 0
    exact: int = 0
    labelled: int = 0  # labelled faults (clip and fault)
    caught: int = 0  # ... called on at least half the clip's reps
    false_alarms: int = 0  # other faults on more than a fifth of a judged clip's reps

    def add(self, other: Score) -> None:
        for name in ("clips", "exact", "labelled", "caught", "false_alarms"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def rejudge(rep: dict[str, Any], drill: str, th: Thresholds) -> set[str]:
    faults = DRILLS[drill].faults
    m = rep["metrics"]
    return set(decide_rep(m, faults, th)[0]) | set(decide_top(m, faults, th)[0])


@dataclass(frozen=True)
class LabelCheck:
    """A clip's reps against its labels (labels.json's rule): exact count; each labelled fault on at
    least half the reps; any other fault, not allowed, on more than a fifth is a false alarm. A clip
    labelled `faults: null` is scored on its count only."""

    counted: int
    done: int
    labelled: tuple[str, ...]
    missed: tuple[tuple[str, int], ...]  # labelled faults lit on fewer than half the reps, and on how many
    false_alarms: tuple[tuple[str, int], ...]

    def problems(self) -> list[str]:
        """What breaks the rule, in words (empty: the clip passes)."""
        out = [f"{self.counted} reps counted, {self.done} done"] if self.counted != self.done else []
        out += [f"{fault} lit on {n} of {self.counted} reps" for fault, n in self.missed]
        out += [f"false alarm: {fault} lit on {n} of {self.counted} reps" for fault, n in self.false_alarms]
        return out


def check_labels(label: dict[str, Any], calls: list[set[str]]) -> LabelCheck:
    """The labels' rule on a clip whose reps called `calls` (one set of faults a rep)."""
    n = len(calls)
    lit = {f: sum(f in c for c in calls) for c in calls for f in c}
    labelled = tuple(label["faults"] or ())
    missed = tuple((f, lit.get(f, 0)) for f in labelled if lit.get(f, 0) < n / 2)
    alarms = ()
    if label["faults"] is not None:
        allowed = set(labelled) | set(label.get("allowed", []))
        alarms = tuple((f, k) for f, k in sorted(lit.items()) if f not in allowed and k > n / 5)
    return LabelCheck(n, label["reps"], labelled, missed, alarms)


def score(result: ClipResult, th: Thresholds | None = None) -> Score:
    """The clip against its labels: as the coach called it, or re-judged with thresholds `th`."""
    label, reps = result.label, result.report["rep_list"]
    calls = [set(r["faults"]) if th is None else rejudge(r, label["drill"], th) for r in reps]
    check = check_labels(label, calls)
    return Score(
        clips=1,
        exact=int(check.counted == check.done),
        labelled=len(check.labelled),
        caught=len(check.labelled) - len(check.missed),
        false_alarms=len(check.false_alarms),
    )


def leave_one_source_out(results: list[ClipResult]) -> list[tuple[str, Score, dict[str, Thresholds]]]:
    """For each source: thresholds fitted on every other source, scored on this one's clips."""
    out = []
    for source in sorted({r.source for r in results}):
        train = [r for r in results if r.source != source]
        fitted = fitted_thresholds(train)
        total = Score()
        for r in results:
            if r.source == source:
                total.add(score(r, fitted[r.label["drill"]]))
        out.append((source, total, fitted))
    return out


# -- the printed report ----------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def margins_table(results: list[ClipResult]) -> list[str]:
    lines = [
        "| fault | threshold | drill | value | clean reps | nearest clean | faulty reps | nearest faulty "
        "| margin clean side | margin faulty side |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for knob in KNOBS:
        for drill_id, drill in DRILLS.items():
            if knob.fault not in drill.faults:
                continue
            clean, faulty = samples(results, knob, drill_id)
            if not clean and not faulty:
                continue
            value = knob.sign * getattr(drill.thresholds, knob.field)
            near_clean, near_faulty = nearest(clean, faulty, knob)
            flip = 1.0 if knob.faulty_above else -1.0
            m_clean = flip * (value - near_clean.value) if near_clean else None
            m_faulty = flip * (near_faulty.value - value) if near_faulty else None
            lines.append(
                f"| {knob.fault} | `{knob.field}` | {drill_id} | {value:g} | {len(clean)} "
                f"(median {_fmt(median(s.value for s in clean) if clean else None)}) | "
                f"{_fmt(near_clean.value if near_clean else None)} {near_clean.clip if near_clean else ''} | "
                f"{len(faulty)} (median {_fmt(median(s.value for s in faulty) if faulty else None)}) | "
                f"{_fmt(near_faulty.value if near_faulty else None)} {near_faulty.clip if near_faulty else ''} | "
                f"{_fmt(m_clean)} | {_fmt(m_faulty)} |"
            )
    return lines


def evidence_mismatches(results: list[ClipResult]) -> list[str]:
    """Where the registry's nearest clean and faulty reps differ from this calibration's: one line each.

    The registry keeps them as "value clip#rep" beside each threshold; when the coach or a threshold
    changes, `station calibrate` says which entries to bring up to date.
    """
    from station.core.registry import FAULTS

    out = []
    for knob in KNOBS:
        for key, evidence in FAULTS[knob.fault].evidence.items():
            drill, name = key.split(".")
            if name != knob.field or drill not in DRILLS:
                continue
            near_clean, near_faulty = nearest(*samples(results, knob, drill), knob)
            for kind, side, shown in (("clean", near_clean, evidence.clean), ("faulty", near_faulty, evidence.faulty)):
                measured = f"{_fmt(side.value)} {side.clip}" if side else "none"
                if measured != shown:
                    out.append(f"{knob.fault} {key} nearest {kind}: the registry says '{shown}', measured '{measured}'")
    return out


def _score_cells(s: Score) -> str:
    return f"{s.clips} | {s.exact}/{s.clips} | {s.caught}/{s.labelled} | {s.false_alarms}"


def report_lines(results: list[ClipResult]) -> list[str]:
    lines = ["## Held out: thresholds fitted without each source, scored on it", ""]
    lines += ["| source (lifter and room) | clips | exact counts | labelled faults caught | false alarms |",
              "| --- | --- | --- | --- | --- |"]  # fmt: skip
    held = Score()
    for source, s, _ in leave_one_source_out(results):
        held.add(s)
        lines.append(f"| {source} | {_score_cells(s)} |")
    lines.append(f"| **all, held out** | {_score_cells(held)} |")
    shipped = Score()
    for r in results:
        shipped.add(score(r))
    lines.append(f"| all, in sample (the shipped thresholds, as the coach called them) | {_score_cells(shipped)} |")
    lines += ["", "## Each threshold: the shipped value against the clean and faulty reps", ""]
    lines += margins_table(results)
    stale = evidence_mismatches(results)
    if stale:
        lines += ["", "## The registry's evidence is out of date (station/core/registry.py)", ""]
        lines += [f"- {line}" for line in stale]
    return lines


def pose_rate_lines(by_rate: dict[str, list[ClipResult]]) -> list[str]:
    lines = ["| pose frames a second | clips | exact counts | labelled faults caught | false alarms |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for rate, results in by_rate.items():
        total = Score()
        for r in results:
            total.add(score(r))
        lines.append(f"| {rate} | {_score_cells(total)} |")
    return lines


def progress_printer() -> Callable[[str], None]:
    """A counting line on stderr where it is a terminal; nothing where it is a file."""
    if not sys.stderr.isatty():
        return lambda text: None

    def show(text: str) -> None:
        print(f"\r{text[:100]:100s}", end="", file=sys.stderr, flush=True)

    return show
