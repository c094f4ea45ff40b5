"""The counting line: shown on a terminal, rewritten in place, cleared at the end; silent elsewhere."""

import io

from station.edges.progress import Progress


def test_a_terminal_sees_a_line_rewritten_in_place_and_cleared():
    out = io.StringIO()
    p = Progress("analysing frames", total=200, every_s=0.0, stream=out, show=True)
    for _ in range(3):
        p.step(50)
    p.close()
    text = out.getvalue()
    assert text.count("\r") >= 4 and "analysing frames: 150/200 (75%)" in text and text.endswith("\r")
    assert "\n" not in text  # one line, rewritten: the command's own output is not broken up


def test_a_file_or_pipe_sees_nothing():
    out = io.StringIO()  # not a terminal
    p = Progress("views", total=3, every_s=0.0, stream=out)
    p.step(note="side")
    p.close()
    assert out.getvalue() == "" and p.done_count == 1


def test_without_a_total_it_counts():
    assert Progress("frames", show=False).line().startswith("frames: 0, ")
