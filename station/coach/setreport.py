"""What a finished set says about each rep, read the same way by the screen, the history and the log.

A set travels as the JSON-ready report of `Coach.report()` (`station analyze --json`). The one rule
for a good rep lives here: the view let something be judged, and no fault was called. A rep seen
only from the front counts, but is not "good": nothing about its form was seen.
"""

from __future__ import annotations

from collections.abc import Iterable


def good_rep(rep: dict) -> bool:
    """A rep (as in `rep_list`) that was judged and showed no fault."""
    return bool(rep.get("judged", True)) and not rep.get("faults")


def good_reps(reps: Iterable[dict]) -> int:
    return sum(1 for rep in reps if good_rep(rep))
