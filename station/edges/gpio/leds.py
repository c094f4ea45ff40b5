"""Optional fault LEDs on GPIO that mirror the screen's lamps (gpiozero LEDBoard)."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedSettings:
    enabled: bool = False
    active_high: bool = True
    pins: dict[str, int] = field(
        default_factory=lambda: {
            "back_rounding": 5, "knees_forward": 6, "hips_drop": 13,
            "no_lockout": 19, "hips_rise_first": 26, "overextension": 21,
        }
    )  # fmt: skip


class FaultLeds:
    """The LEDs on GPIO, one per fault, lit with the screen's lamps."""

    def __init__(self, settings: LedSettings, pin_factory: Any = None) -> None:
        from gpiozero import LEDBoard

        self.faults = list(settings.pins)
        self.board = LEDBoard(
            *[settings.pins[f] for f in self.faults], active_high=settings.active_high, pin_factory=pin_factory
        )

    def show(self, lit: dict[str, bool]) -> None:
        """Light exactly the LEDs of faults that are lit; a fault the drill does not judge stays off."""
        self.board.value = tuple(1 if lit.get(f, False) else 0 for f in self.faults)

    def close(self) -> None:
        self.board.off()
        self.board.close()


class NoLeds:
    """The stand-in where no LEDs are fitted, or no GPIO: the lamps are on the screen only."""

    def show(self, lit: dict[str, bool]) -> None:
        """Nothing to light."""

    def close(self) -> None:
        """Nothing to release."""


def open_leds(settings: LedSettings) -> FaultLeds | NoLeds:
    """The fault LEDs where the config enables them and GPIO drives them, else the stand-in."""
    if not settings.enabled:
        return NoLeds()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return FaultLeds(settings)
    except Exception as exc:
        log.warning("fault LEDs are enabled but cannot be driven here: %s", exc)
        return NoLeds()
