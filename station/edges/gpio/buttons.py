"""The two big buttons on GPIO, through gpiozero, as actions on a queue.

SELECT cycles drills; START starts and stops a set; holding START ends the set. On a machine
without GPIO the kiosk runs on the keyboard alone; tests use gpiozero's mock pin factory.
"""

from __future__ import annotations

import logging
import queue
import warnings
from dataclasses import dataclass
from typing import Any

from station.core.kiosk.events import CHECK_PLACEMENT, HOLD, SELECT, SHOW_HEALTH, START, Action

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ButtonSettings:
    select_pin: int = 17  # BCM numbers
    start_pin: int = 27
    pull_up: bool = True  # buttons wired between the pin and ground
    bounce_s: float = 0.05
    hold_s: float = 1.5  # holding START this long ends the set
    health_hold_s: float = 3.0  # SELECT and START held together this long: the owner's health page
    place_hold_s: float = 5.0  # SELECT held alone this long (outside a set): the placement check


def long_hold(select_held_s: float, start_pressed: bool, settings: ButtonSettings) -> Action | None:
    """The long holds, from how long SELECT has been down and whether START is down with it: both
    buttons for health_hold_s open the owner's health page, SELECT alone for place_hold_s the
    installer's placement check. Pure, so the rule is tested without waiting seconds for it."""
    if start_pressed and select_held_s >= settings.health_hold_s:
        return SHOW_HEALTH
    if not start_pressed and select_held_s >= settings.place_hold_s:
        return CHECK_PLACEMENT
    return None


class Buttons:
    """SELECT and START on GPIO, turned into the kiosk's actions (presses, holds, the long holds)."""

    keys_shown = False  # real buttons: the screens name them, not keys

    def __init__(
        self, settings: ButtonSettings, actions: queue.Queue[str], pin_factory: Any = None, look_s: float = 0.5
    ) -> None:
        """`look_s`: how often a held SELECT is looked at for the long holds (a test's holds are short)."""
        from gpiozero import Button

        kw = {"pull_up": settings.pull_up, "bounce_time": settings.bounce_s or None, "pin_factory": pin_factory}
        # SELECT acts at once when pressed; held, it is looked at every look_s for the two long holds.
        self.select = Button(settings.select_pin, hold_time=look_s, hold_repeat=True, **kw)
        self.start = Button(settings.start_pin, hold_time=settings.hold_s, **kw)
        self.settings = settings
        self._held = False
        self._long_hold_done = False
        self._actions = actions
        self.select.when_pressed = self._select_down
        self.select.when_held = self._select_held
        self.start.when_pressed = self._start_down
        self.start.when_held = self._start_held
        self.start.when_released = self._start_up

    def _select_down(self) -> None:
        self._long_hold_done = False
        self._actions.put(SELECT)

    def _select_held(self) -> None:
        if self._long_hold_done:
            return
        held = self.select.active_time or 0.0  # since the press (held_time counts from the first hold)
        action = long_hold(held, bool(self.start.is_pressed), self.settings)
        if action is None:
            return
        self._long_hold_done = True
        if action == SHOW_HEALTH:
            self._held = True  # START's release is part of the gesture, not a press
        self._actions.put(action)

    def _start_down(self) -> None:
        self._held = False

    def _start_held(self) -> None:
        self._held = True
        self._actions.put(HOLD)

    def _start_up(self) -> None:
        if not self._held:
            self._actions.put(START)

    def close(self) -> None:
        self.select.close()
        self.start.close()


class KeysOnly:
    """The stand-in where this machine has no GPIO: the kiosk's loop reads the keyboard's keys into
    the same actions (S = select, Enter = start, H = hold), and the screens name those keys."""

    keys_shown = True

    def close(self) -> None:
        """Nothing to release."""


def open_buttons(settings: ButtonSettings, actions: queue.Queue[str]) -> Buttons | KeysOnly:
    """The GPIO buttons, or the keyboard's stand-in (with a log line) where this machine has no GPIO."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gpiozero warns once per pin library it cannot load
            return Buttons(settings, actions)
    except Exception as exc:
        log.info("no GPIO buttons here (%s): use the keyboard (S = select, Enter = start, H = hold)", exc)
        return KeysOnly()
