"""Short sounds, because a lifter holding a neutral neck is not looking at the screen.

A tick for a good rep, a low two-note tone when a fault lamp lights, a chime at the end of a set.
Tones are made here (no sound files to ship); no sound card, or sound off, means `Silence`, the
stand-in beside the mixer.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
RATE = 44100


@dataclass(frozen=True)
class SoundSettings:
    enabled: bool = True
    volume: float = 0.6  # 0 to 1


def tone(notes: list[tuple[float, float]], volume: float) -> np.ndarray:
    """Stereo int16 samples for (frequency Hz, seconds) notes, each with a soft attack and decay."""
    parts = []
    for freq, seconds in notes:
        t = np.arange(int(RATE * seconds)) / RATE
        envelope = np.minimum(1.0, t / 0.005) * np.exp(-t / max(0.02, seconds / 3))
        parts.append(np.sin(2 * np.pi * freq * t) * envelope)
    wave = (np.concatenate(parts) * volume * 32767 * 0.8).astype(np.int16)
    return np.ascontiguousarray(np.stack([wave, wave], axis=1))


SOUNDS = {
    "rep": [(1320.0, 0.06)],
    "fault": [(330.0, 0.12), (247.0, 0.2)],
    "end": [(523.0, 0.12), (659.0, 0.12), (784.0, 0.25)],
}


class Sounds:
    """The speaker, through pygame's mixer, with each tone made once."""

    def __init__(self, settings: SoundSettings) -> None:
        import pygame

        pygame.mixer.init(frequency=RATE, size=-16, channels=2)  # no sound card: pygame.error
        self._sounds: dict[str, Any] = {
            name: pygame.sndarray.make_sound(tone(notes, settings.volume)) for name, notes in SOUNDS.items()
        }

    def play(self, name: str) -> None:
        sound = self._sounds.get(name)
        if sound is not None:
            sound.play()


class Silence:
    """The stand-in where sound is off or there is no sound card: it remembers the last sounds it
    would have played (the tests read them), so the kiosk never asks whether there is a speaker."""

    def __init__(self) -> None:
        self.played: deque[str] = deque(maxlen=100)  # a kiosk runs for months: the recent ones only

    def play(self, name: str) -> None:
        self.played.append(name)


def open_sounds(settings: SoundSettings) -> Sounds | Silence:
    """The speaker where sound is on and a mixer starts, else silence (one warning saying why)."""
    if not settings.enabled or settings.volume <= 0:
        return Silence()
    try:
        return Sounds(settings)
    except Exception as exc:
        log.warning("sound is off: the mixer would not start (%s)", exc)
        return Silence()
