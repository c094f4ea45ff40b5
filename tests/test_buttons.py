import queue
import time

import pytest
from gpiozero.pins.mock import MockFactory

from station.kiosk.buttons import Buttons, ButtonSettings
from station.kiosk.state import HOLD, SELECT, START


@pytest.fixture
def rig():
    factory = MockFactory()
    actions: queue.Queue[str] = queue.Queue()
    settings = ButtonSettings(select_pin=17, start_pin=27, bounce_s=0.0, hold_s=0.2)
    buttons = Buttons(settings, actions, factory)
    yield factory, actions
    buttons.close()
    factory.reset()


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
