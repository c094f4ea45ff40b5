"""Two `station calibrate --csv` tables of the same clips (other kernels, another processor): where
do the reps and the calls part, and by how much does each figure the rules read move?

Usage: compare_reps.py A.csv B.csv
Prints, per figure a fault rule reads, the median, 90th percentile and largest difference over the
reps both tables have; then every clip whose rep count differs and every rep whose calls differ.
"""

from __future__ import annotations

import csv
import statistics
import sys

# The figures the fault rules read (coach/faults.py), with the threshold each is compared against.
FIGURES = ("bottom_shin_lean", "back_curve", "head_drop", "hip_down", "hip_back", "trunk_tip", "max_top_hip_angle",
           "min_top_torso_lean", "yaw", "depth")  # fmt: skip


def read(path: str) -> dict[tuple[str, int], dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return {(r["clip"], int(r["rep"])): r for r in csv.DictReader(f)}


def differences(a: dict, b: dict) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in FIGURES}
    for key in sorted(set(a) & set(b)):
        for k in FIGURES:
            try:
                out[k].append(abs(float(a[key][k]) - float(b[key][k])))
            except (ValueError, KeyError):
                continue  # not read on one side (unseen), or not a figure of this rep
    return out


def main(argv: list[str]) -> int:
    a, b = read(argv[0]), read(argv[1])
    print(f"reps: {len(a)} in {argv[0]}, {len(b)} in {argv[1]}, {len(set(a) & set(b))} in both\n")
    print("| figure | reps read in both | median difference | 90th percentile | largest |")
    print("| --- | --- | --- | --- | --- |")
    for k, diffs in differences(a, b).items():
        if diffs:
            q = statistics.quantiles(diffs, n=10)[-1] if len(diffs) > 1 else diffs[0]
            print(f"| {k} | {len(diffs)} | {statistics.median(diffs):.3g} | {q:.3g} | {max(diffs):.3g} |")
    counts_a, counts_b = {}, {}
    for clip, _ in a:
        counts_a[clip] = counts_a.get(clip, 0) + 1
    for clip, _ in b:
        counts_b[clip] = counts_b.get(clip, 0) + 1
    parted = sorted(c for c in set(counts_a) | set(counts_b) if counts_a.get(c) != counts_b.get(c))
    print("\nclips whose rep count differs: " + (", ".join(f"{c} ({counts_a.get(c, 0)} / {counts_b.get(c, 0)})"
                                                           for c in parted) or "none"))  # fmt: skip
    flips = [(key, a[key]["faults"], b[key]["faults"]) for key in sorted(set(a) & set(b))
             if set(a[key]["faults"].split()) != set(b[key]["faults"].split())]  # fmt: skip
    print(f"reps whose calls differ: {len(flips)}")
    for (clip, rep), fa, fb in flips:
        print(f"- {clip}#{rep}: '{fa}' / '{fb}'")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
