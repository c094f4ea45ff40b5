"""Compare `station analyze --json` answers from arm64 (emulated) with x86-64's, clip by clip.

Usage: pi_compare.py SUITE CLIP X86.json ARM.json [CLIP X86.json ARM.json ...]
Prints a table (reps, faults, the largest per-rep differences) and exits 1 when reps or fault calls
differ on any clip. Per-rep figures are compared against TOLERANCE: what the int8 model's kernels
may move a reading by between architectures, which the coach's margins must exceed (docs/figures.md).
"""

from __future__ import annotations

import json
import sys

# Largest difference allowed between x86 and arm64 in a rep's figures before the check says so.
TOLERANCE = {"deg": 10.0, "ratio": 0.1, "s": 0.35}
TIMES = ("start_s", "bottom_s", "end_s")
# The figures the fault rules read (coach/faults.py) and the rep's times: the tolerance is theirs.
# Other metrics (how many back readings, which way the lifter is turned) are listed, not judged.
RULE_FIGURES = ("bottom_shin_lean", "back_curve", "head_drop", "hip_down", "hip_back", "trunk_tip",
                "max_top_hip_angle", "min_top_torso_lean", "depth", *TIMES)  # fmt: skip


def unit(metric: str) -> str:
    if metric.endswith("_s") or metric in TIMES:
        return "s"
    if any(w in metric for w in ("angle", "lean", "tip", "yaw")):
        return "deg"
    return "ratio"


def compare(x86: dict, arm: dict) -> tuple[bool, dict[str, float], list[str]]:
    """(reps and faults identical, the largest difference per figure, the figures past tolerance)."""
    same = x86["reps"] == arm["reps"] and [sorted(r["faults"]) for r in x86["rep_list"]] == [
        sorted(r["faults"]) for r in arm["rep_list"]
    ]
    worst: dict[str, float] = {}
    for a, b in zip(x86["rep_list"], arm["rep_list"], strict=False):
        pairs = [(k, a[k], b[k]) for k in TIMES] + [
            (k, v, b["metrics"].get(k)) for k, v in a.get("metrics", {}).items()
        ]
        for key, va, vb in pairs:
            if isinstance(va, (int, float)) and isinstance(vb, (int, float)):
                worst[key] = max(worst.get(key, 0.0), abs(va - vb))
    over = [f"{k} {v:.3g} {unit(k)}" for k, v in worst.items() if k in RULE_FIGURES and v > TOLERANCE[unit(k)]]
    return same, worst, over


def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv: list[str]) -> int:
    suite, rest = argv[0], argv[1:]
    ok = True
    print(f"\n{suite} (arm64, emulated) against x86-64; tolerance: {TOLERANCE}")
    print(
        "| clip | reps x86 / arm | faults per rep x86 / arm | reps and faults | whole answer | largest differences "
        "| past tolerance |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for i in range(0, len(rest), 3):
        clip, x86_path, arm_path = rest[i : i + 3]
        try:
            x86, arm = (_read(p) for p in (x86_path, arm_path))
        except (OSError, ValueError) as exc:
            print(f"| {clip} | no answer ({exc}) | | different | | | |")
            ok = False
            continue
        same, worst, over = compare(x86, arm)
        ok &= same
        rule = {k: v for k, v in worst.items() if k in RULE_FIGURES}
        top = sorted(rule.items(), key=lambda kv: -kv[1] / TOLERANCE[unit(kv[0])])[:4]
        print(
            f"| {clip} | {x86['reps']} / {arm['reps']} | {[r['faults'] for r in x86['rep_list']]} / "
            f"{[r['faults'] for r in arm['rep_list']]} | {'identical' if same else 'DIFFERENT'} | "
            f"{'identical' if x86 == arm else 'differs'} | "
            f"{', '.join(f'{k} {v:.3g}' for k, v in top) or 'none'} | {', '.join(over) or 'none'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
