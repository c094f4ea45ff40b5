import queue
import time

import pytest
from gpiozero.pins.mock import MockFactory

from station.core.kiosk.events import CHECK_PLACEMENT, HOLD, SELECT, SHOW_HEALTH, START
from station.edges.gpio.buttons import Buttons, ButtonSettings, KeysOnly, long_hold, open_buttons

SHORT = ButtonSettings(select_pin=17, start_pin=27, bounce_s=0.0, hold_s=0.2, health_hold_s=0.3, place_hold_s=0.45)


@pytest.fixture
def rig(pins):
    factory = pins
    actions: queue.Queue[str] = queue.Queue()
    # The holds shortened, and a held SELECT looked at every 50 ms: the wiring is real, the waits short.
    buttons = Buttons(SHORT, actions, factory, look_s=0.05)
    yield factory, actions
    buttons.close()


def _press(factory: MockFactory, pin: int, seconds: float = 0.02) -> None:
    p = factory.pin(pin)
    p.drive_low()  # pulled up: pressed pulls the pin to ground
    time.sleep(seconds)
    p.drive_high()
    time.sleep(0.02)


def _drain(actions: queue.Queue[str]) -> list[str]:
    out = []
    while not actions.empty():
        out.append(actions.get_nowait())
    return out


def test_select_and_start(rig):
    factory, actions = rig
    _press(factory, 17)
    _press(factory, 27)
    assert _drain(actions) == [SELECT, START]


def test_holding_start_is_hold_not_start(rig):
    factory, actions = rig
    _press(factory, 27, seconds=0.5)
    assert _drain(actions) == [HOLD]


def test_both_buttons_held_open_the_health_page_and_start_is_not_pressed_by_it(rig):
    factory, actions = rig
    select, start = factory.pin(17), factory.pin(27)
    select.drive_low()
    start.drive_low()
    time.sleep(0.6)  # twice the hold: a busy machine's late look still falls inside it
    start.drive_high()
    select.drive_high()
    time.sleep(0.05)
    got = _drain(actions)
    assert got[0] == SELECT and SHOW_HEALTH in got and START not in got and CHECK_PLACEMENT not in got


def test_select_held_alone_opens_the_placement_check_once(rig):
    factory, actions = rig
    _press(factory, 17, seconds=0.8)
    assert _drain(actions) == [SELECT, CHECK_PLACEMENT]


def test_no_gpio_gives_the_keyboards_stand_in_whose_keys_the_screens_name(monkeypatch):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "nonesuch")
    from gpiozero import Device

    monkeypatch.setattr(Device, "pin_factory", None)  # chosen afresh from the environment, whatever ran before
    buttons = open_buttons(ButtonSettings(), queue.Queue())
    assert isinstance(buttons, KeysOnly) and buttons.keys_shown
    buttons.close()


def test_the_long_holds_rule_at_the_shipped_times():
    """The rule itself, at the shipped 3 s and 5 s, with no waiting: both buttons open the health page,
    SELECT alone the placement check, and a shorter hold neither."""
    shipped = ButtonSettings()
    assert long_hold(2.9, True, shipped) is None and long_hold(3.0, True, shipped) == SHOW_HEALTH
    assert long_hold(4.9, False, shipped) is None and long_hold(5.0, False, shipped) == CHECK_PLACEMENT
    assert long_hold(6.0, True, shipped) == SHOW_HEALTH  # START down too: never the placement check
