"""Drawing pieces the screens share: text, the camera view with its skeleton, lamps, tiles.

Everything is laid out on a 1920x1080 design and scaled by `Ui.u`, so the same screen reads on
a TV and on the 800x480 Pi display.
"""

from __future__ import annotations

import numpy as np
import pygame

from station.core.coach.setreport import Rep
from station.core.drills import FAULT_LAMPS, FAULT_NAMES
from station.core.keypoints import BONES
from station.core.kiosk.state import Lamp

BG = (16, 20, 28)
PANEL = (28, 34, 46)
INK = (240, 242, 245)
MUTED = (150, 160, 175)
GREEN = (40, 190, 100)
RED = (230, 60, 50)
AMBER = (245, 165, 30)
BLUE = (70, 140, 240)
TEXT_CACHE = 400  # rendered lines kept
CAMERA_BOX = (40, 40, 1080, 880)  # where the camera picture goes on the chosen and set screens (design px)
# The two-metre read: every word a lifter needs mid-set is at least this share of the screen's height
# (capital letters; 32 px at 1080p, 22 at 720p, 14 at 480p: a 2.5 m read for normal sight, about 6
# minutes of arc). The default font's capitals are 0.75 of its size; an 800x480 screen uses 450 of
# its 480 rows for the 1080-high design, so a mid-set word is at least 48 design px.
MIN_TEXT_SHARE = 0.03
MID_SET_TEXT = 48  # design px: the smallest font size of any word a lifter reads mid-set
LAMP_TEXT = 0.5  # a lamp's words, as a share of its height


class Ui:
    """The surface and its scale, with cached fonts."""

    def __init__(self, surface: pygame.Surface) -> None:
        self.surface = surface
        w, h = surface.get_size()
        self.w, self.h = w, h
        self.u = min(w / 1920.0, h / 1080.0)
        # The design is centred: a 4:3 or 5:3 screen gets bands, never a stretched layout.
        self.ox, self.oy = (w - 1920.0 * self.u) / 2.0, (h - 1080.0 * self.u) / 2.0
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self._texts: dict[tuple, pygame.Surface] = {}
        self.drawn: list[tuple[str, float, bool]] | None = None  # a list: each text drawn, its design size (tests)

    def px(self, value: float) -> int:
        """A length in design pixels, in screen pixels."""
        return max(1, round(value * self.u))

    def at(self, x: float, y: float) -> tuple[int, int]:
        """A point in design coordinates, in screen pixels."""
        return round(self.ox + x * self.u), round(self.oy + y * self.u)

    def font(self, size: float, bold: bool = False) -> pygame.font.Font:
        key = (max(12, self.px(size)), bold)
        if key not in self._fonts:
            font = pygame.font.Font(None, key[0])
            font.set_bold(bold)
            self._fonts[key] = font
        return self._fonts[key]

    def text(self, text: str, pos: tuple[float, float], size: float, colour=INK, anchor: str = "topleft", bold=False):
        """Draw `text` at design coordinates `pos`; returns the rectangle it took (screen pixels).

        Rendered once and kept: a screen redrawn 30 times a second mostly says the same words."""
        if self.drawn is not None:
            self.drawn.append((text, size, bold))
        key = (text, self.px(size), tuple(colour), bold)
        image = self._texts.get(key)
        if image is None:
            image = self.font(size, bold).render(text, True, colour)
            if len(self._texts) >= TEXT_CACHE:
                self._texts.pop(next(iter(self._texts)))  # the oldest goes: a kiosk runs for months
            self._texts[key] = image
        rect = image.get_rect(**{anchor: self.at(*pos)})
        self.surface.blit(image, rect)
        return rect

    def cap_height(self, size: float, bold: bool = False) -> int:
        """Screen pixels of a capital letter at design size `size` (what the two-metre read measures)."""
        image = self.font(size, bold).render("H", True, (255, 255, 255))
        rows = pygame.surfarray.array2d(image).any(axis=0).nonzero()[0]
        return int(rows[-1] - rows[0] + 1) if len(rows) else 0

    def wrapped(self, text: str, pos: tuple[float, float], size: float, width: float, colour=INK, gap: float = 1.15):
        """Draw `text` wrapped to `width` design pixels; returns the design y below it."""
        font = self.font(size)
        words, line, y = text.split(), "", pos[1]
        for word in words:
            trial = f"{line} {word}".strip()
            if font.size(trial)[0] > self.px(width) and line:
                self.text(line, (pos[0], y), size, colour)
                y += size * gap
                line = word
            else:
                line = trial
        if line:
            self.text(line, (pos[0], y), size, colour)
            y += size * gap
        return y

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        return pygame.Rect(*self.at(x, y), self.px(w), self.px(h))


def camera_view(ui: Ui, box: pygame.Rect, image: np.ndarray | None, keypoints: np.ndarray | None, scale: float,
                colour=GREEN, min_score: float = 0.3) -> None:  # fmt: skip
    """The camera picture fitted into `box` (aspect kept), with the skeleton drawn over it.

    An image already at its size on screen (the pose worker or the camera's ISP made it so) is
    blitted as it is; anything else is scaled here, which costs the UI thread milliseconds."""
    pygame.draw.rect(ui.surface, (8, 10, 14), box)
    if image is None:
        return
    h, w = image.shape[:2]
    fit = min(box.w / w, box.h / h)
    size = (max(1, int(w * fit)), max(1, int(h * fit)))
    image = np.ascontiguousarray(image)
    picture = pygame.image.frombuffer(image, (w, h), "RGB")
    if size != (w, h):
        picture = pygame.transform.smoothscale(picture, size)
    left, top = box.x + (box.w - size[0]) // 2, box.y + (box.h - size[1]) // 2
    ui.surface.blit(picture, (left, top))
    if keypoints is None:
        return
    k = np.asarray(keypoints, dtype=float)
    pts = [(left + x / scale * fit, top + y / scale * fit) for x, y in k[:, :2]]
    ok = k[:, 2] >= min_score
    width = max(2, ui.px(6))
    for a, b in BONES:
        if ok[a] and ok[b]:
            pygame.draw.line(ui.surface, colour, pts[a], pts[b], width)
    for i in np.nonzero(ok)[0]:
        pygame.draw.circle(ui.surface, INK, pts[i], max(2, ui.px(7)))


def fault_lamp(ui: Ui, x: float, y: float, w: float, h: float, lamp: Lamp) -> None:
    """A fault's lamp, one line a lifter reads from the rack: what it judges and how it reads
    ("Lockout: full" green, "Lockout: short" red), grey where the view cannot show it or before
    the first rep. What to do about a lit lamp is the big cue under the picture."""
    box = ui.rect(x, y, w, h)
    pygame.draw.rect(ui.surface, (60, 20, 20) if lamp.lit else PANEL, box, border_radius=ui.px(16))
    colour = RED if lamp.lit else (MUTED if lamp.unseen or not lamp.judged else GREEN)
    pygame.draw.circle(ui.surface, colour, (box.x + ui.px(h / 2), box.centery), ui.px(h * 0.3))  # the lamp
    what, clean, faulty = FAULT_LAMPS[lamp.fault]
    state = faulty if lamp.lit else ("not visible" if lamp.unseen else "not yet" if not lamp.judged else clean)
    ui.text(f"{what}: {state}", (x + h, y + h / 2), LAMP_TEXT * h, INK if lamp.lit or lamp.judged else MUTED,
            anchor="midleft", bold=True)  # fmt: skip


def rep_count(ui: Ui, centre: tuple[float, float], reps: int, pulse: float) -> None:
    """The biggest thing on screen: the count, readable from across the gym."""
    # Five sizes at most: every new size is a new font object holding the font file open.
    size = 420 * (1.0 + 0.12 * round(pulse * 4) / 4)
    ui.text(str(reps), centre, size, INK, anchor="center", bold=True)
    ui.text("REPS", (centre[0], centre[1] + 190), 60, MUTED, anchor="center", bold=True)


def rep_tile(ui: Ui, x: float, y: float, w: float, h: float, rep: Rep) -> None:
    """One rep on the summary: green or red, its faults, its tempo."""
    good = rep.good
    colour = GREEN if good else (RED if rep.faults else MUTED)
    box = ui.rect(x, y, w, h)
    pygame.draw.rect(ui.surface, PANEL, box, border_radius=ui.px(12))
    pygame.draw.rect(ui.surface, colour, box, width=max(2, ui.px(6)), border_radius=ui.px(12))
    ui.text(str(rep.index), (x + w / 2, y + h * 0.22), h * 0.32, colour, anchor="center", bold=True)
    down, up = rep.metrics.get("eccentric_s"), rep.metrics.get("concentric_s")
    tempo = [f"{word} {value:.1f} s" for word, value in (("down", down), ("up", up)) if value is not None]
    for i, line in enumerate(tempo):  # one line each: a tile is narrow
        ui.text(line, (x + w / 2, y + h * (0.43 + 0.12 * i)), h * 0.13, MUTED, anchor="center")
    label = "good" if good else ("not judged" if not rep.faults else "")
    lines = [FAULT_NAMES[f] for f in rep.faults][:2] or [label]
    for i, line in enumerate(lines):
        ui.text(line, (x + w / 2, y + h * (0.7 + 0.13 * i)), h * 0.13, INK, anchor="center")


def qr_code(matrix: np.ndarray, size_px: int) -> pygame.Surface:
    """A QR code as a surface at most `size_px` square: whole pixels per module (a phone reads sharp
    edges best), dark on white, with the four-module quiet zone the standard asks for."""
    quiet = 4
    modules = matrix.shape[0] + 2 * quiet
    unit = max(1, size_px // modules)
    grid = np.pad(matrix, quiet, constant_values=False)
    image = np.where(grid[..., None], 0, 255).astype(np.uint8).repeat(3, axis=2)
    image = image.repeat(unit, axis=0).repeat(unit, axis=1)
    return pygame.surfarray.make_surface(image.transpose(1, 0, 2))
