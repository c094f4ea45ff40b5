import queue
import time

import pytest
from gpiozero.pins.mock import MockFactory

from station.core.kiosk.events import CHECK_PLACEMENT, HOLD, SELECT, SHOW_HEALTH, START
from station.edges.gpio.buttons import Buttons, ButtonSettings, KeysOnly, open_buttons


@pytest.fixture
def rig(pins):
    factory = pins
    actions: queue.Queue[str] = queue.Queue()
    settings = ButtonSettings(
        select_pin=17, start_pin=27, bounce_s=0.0, hold_s=0.2, health_hold_s=1.0, place_hold_s=1.5
    )
    buttons = Buttons(settings, actions, factory)
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
    time.sleep(1.4)
    start.drive_high()
    select.drive_high()
    time.sleep(0.05)
    got = _drain(actions)
    assert got[0] == SELECT and SHOW_HEALTH in got and START not in got and CHECK_PLACEMENT not in got


def test_select_held_alone_opens_the_placement_check_once(rig):
    factory, actions = rig
    _press(factory, 17, seconds=2.2)
    assert _drain(actions) == [SELECT, CHECK_PLACEMENT]


def test_no_gpio_gives_the_keyboards_stand_in_whose_keys_the_screens_name(monkeypatch):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "nonesuch")
    from gpiozero import Device

    monkeypatch.setattr(Device, "pin_factory", None)  # chosen afresh from the environment, whatever ran before
    buttons = open_buttons(ButtonSettings(), queue.Queue())
    assert isinstance(buttons, KeysOnly) and buttons.keys_shown
    buttons.close()
