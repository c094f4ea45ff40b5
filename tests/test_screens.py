"""The screens as a lifter reads them: the two-metre test on the set screen at every supported size,
the lamps' words, and the keys named where the keyboard stands in for the buttons."""

import pytest

from station.app import KioskApp, RunOptions
from station.config import Config
from station.core.kiosk.events import StoreFailed
from station.core.kiosk.state import SET
from station.edges.camera.athlete import AthleteSpec, Faults
from station.edges.display.widgets import MIN_TEXT_SHARE
from station.edges.gpio.buttons import KeysOnly
from tests.test_app import Feeder

SIZES = [(1920, 1080), (1280, 720), (800, 480)]


def _app(size, tmp_path, pin_factory=None):
    return KioskApp(RunOptions(source="synthetic:deadlift", drill="deadlift", size=size, data_folder=tmp_path),
                    Config(), pin_factory, start_worker=False)  # fmt: skip


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_word_a_lifter_reads_mid_set_is_three_percent_of_the_screen(pins, size, tmp_path):
    """The words mid-set (count, lamps, cue, drill, how to finish) are at least MIN_TEXT_SHARE of
    the screen's height in capital letters; the owner's notes (demo, history) are not the lifter's."""
    factory = pins
    app = _app(size, tmp_path, factory)
    try:
        Feeder(app).lift(AthleteSpec(drill="deadlift", reps=1, faults=Faults.named("knees_forward"), fps=15))
        assert app.kiosk.state.screen == SET and any(lamp.lit for lamp in app.kiosk.state.lamps.values())
        app.ui.drawn = []
        notice = "History not saved (locked); your sets are kept and will be written later."
        app.handle(StoreFailed(notice, app.now))  # through the core, as the keeper's problem reaches it
        app.draw(app.now)
        assert notice in [t for t, _, _ in app.ui.drawn]
        owner = {notice, app.view.source_note}
        words = [(t, s, b) for t, s, b in app.ui.drawn if t and t not in owner]
        heights = {t: app.ui.cap_height(s, b) for t, s, b in words}
        smallest = min(heights, key=heights.get)
        print(f"\n{size[0]}x{size[1]}: smallest mid-set text {heights[smallest]} px ({smallest!r}), "
              f"{heights[smallest] / size[1]:.1%} of the height")  # fmt: skip
        assert heights[smallest] >= MIN_TEXT_SHARE * size[1], (smallest, heights[smallest])
        assert any(t.startswith("Knees: forward") for t in heights) and any(t == "Lockout: not yet" for t in heights)
    finally:
        app.close()
        factory.reset()


def test_the_keys_are_named_where_there_are_no_buttons(pins, tmp_path, monkeypatch):
    """Issue 19: the demo said "Press SELECT"; that it is the S key was only in a log line."""
    from gpiozero import Device

    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    monkeypatch.setattr(Device, "pin_factory", None)  # no factory left over from another test: none here
    app = _app((1280, 720), tmp_path)  # no pin factory and no GPIO here: the keyboard stands in
    try:
        app.kiosk.state.screen = "attract"
        app.ui.drawn = []
        app.draw(0.0)
        assert isinstance(app.buttons, KeysOnly)
        assert "Press SELECT (S key) to choose a drill" in [t for t, _, _ in app.ui.drawn]
    finally:
        app.close()
    factory = pins
    app = _app((1280, 720), tmp_path, factory)
    try:
        app.kiosk.state.screen = "attract"
        app.ui.drawn = []
        app.draw(0.0)
        assert "Press SELECT to choose a drill" in [t for t, _, _ in app.ui.drawn]  # real buttons: their names
    finally:
        app.close()
        factory.reset()
