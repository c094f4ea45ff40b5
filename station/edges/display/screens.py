"""The screens: attract, drill chosen, set, summary, a problem, the health and placement pages. Drawing only:
what they say is decided by the core (`station.core.kiosk.shown`), the time is handed in."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pygame

from station.core.coach.setreport import SetReport
from station.core.keypoints import BONES
from station.core.kiosk.shown import ProblemShown, Shown, Tone
from station.core.kiosk.state import ASLEEP, ATTRACT, CHOSEN, HEALTH, PLACE, SET, SUMMARY
from station.core.takehome import take_home
from station.edges.camera.athlete import Athlete, AthleteSpec, Camera
from station.edges.display.chart import draw_trace
from station.edges.display.widgets import (
    AMBER,
    BG,
    CAMERA_BOX,
    GREEN,
    INK,
    MID_SET_TEXT,
    MUTED,
    PANEL,
    RED,
    Ui,
    camera_view,
    fault_lamp,
    qr_code,
    rep_count,
    rep_tile,
)

QR_SIZE = 400  # design px: 5 px a module or more at 1080p (2.5 mm on a 43-inch screen): reads from a metre
PRIVACY_NOTE = "This camera does not record: no picture is stored or sent anywhere."
KEYS = {"SELECT": "S key", "START": "Enter"}  # the keyboard's stand-ins, shown where there are no buttons
TONES: dict[Tone, tuple[int, int, int]] = {"good": GREEN, "warn": AMBER, "fault": RED}


def key(view: View, button: str) -> str:
    """A button's name, with its key where the keyboard stands in for the buttons (the demo)."""
    return f"{button} ({KEYS[button]})" if view.keys else button


class View:
    """What the screens need that is not kiosk state: the latest frame, and notes for the screen."""

    def __init__(self) -> None:
        self.image: np.ndarray | None = None
        self.keypoints: np.ndarray | None = None
        self.scale = 1.0
        self.source_note: str | None = None  # e.g. "Demo: synthetic athlete (no camera found)"
        self.chart: tuple[tuple, pygame.Surface] | None = None  # the summary's chart, drawn once per set
        self.take_home: tuple[tuple, pygame.Surface, str] | None = None  # the set's QR code and its text
        self.status: list[str] = []  # the health page's lines (`station status`), read by the shell
        # When the shown set was stored, by the wall clock (the shell's, handed in: screens read no clock).
        self.set_finished_at: datetime | None = None
        self.keys = False  # no GPIO buttons: the keyboard stands in, and the screens name its keys
        # Turned 40 degrees from side-on: both arms and legs show, a person and not a line.
        self._demo = Athlete(
            AthleteSpec(drill="rdl", reps=None, camera=Camera(size=(600, 700), body_fraction=0.8, yaw_deg=40.0))
        )


def draw(ui: Ui, shown: Shown, view: View, now: float) -> None:
    """One redraw of the screen the core shows, at `now` on the shell's clock."""
    screen = shown.screen
    if screen == ASLEEP:
        ui.surface.fill((0, 0, 0))  # outside opening hours: black (SDL cannot switch a KMS screen off)
        return
    ui.surface.fill(BG)
    if shown.problem is not None:
        problem(ui, shown.problem)
    elif screen == ATTRACT:
        attract(ui, shown, view, now)
    elif screen == CHOSEN:
        chosen(ui, shown, view)
    elif screen == SET:
        set_screen(ui, shown, view, now)
    elif screen == SUMMARY:
        summary(ui, shown, view)
    elif screen == HEALTH:
        health(ui, shown, view, now)
    elif screen == PLACE:
        place(ui, shown, view)
    if view.source_note:
        ui.text(view.source_note, (1900, 8), 30, AMBER, anchor="topright")
    if shown.store_problem:  # the core's, set by StoreFailed and cleared by StoreRecovered
        ui.text(shown.store_problem, (20, 1072), 30, AMBER, anchor="bottomleft")


def attract(ui: Ui, shown: Shown, view: View, now: float) -> None:
    # Everything drifts slowly so no still picture burns into a TV left on all day.
    dx, dy = 40 * math.sin(now / 23.0), 25 * math.sin(now / 17.0)
    ui.text("Hinge Station", (120 + dx, 110 + dy), 150, INK, bold=True)
    ui.text("Learn the hip hinge: hips back, flat back, shins still.", (125 + dx, 250 + dy), 54, MUTED)
    y = 360 + dy
    for i, name in enumerate(shown.drill_names):
        ui.text(f"{i + 1}. {name}", (140 + dx, y), 56, INK)
        y += 72
    ui.text(f"Press {key(view, 'SELECT')} to choose a drill", (125 + dx, y + 60), 70, GREEN, bold=True)
    ui.text(PRIVACY_NOTE, (125 + dx, 1000 + dy / 3), 36, MUTED)
    # A figure doing hinges: the screen moves, and shows what the station is for.
    athlete = view._demo
    body = athlete.body(now % (athlete.rep_s * 5) + athlete.spec.lead_in_s)
    k = athlete.keypoints(body)
    ox, oy = ui.at(1250 + dx, 220)
    s = ui.u
    pts = [(ox + x * s, oy + y * s) for x, y in k[:, :2]]
    # Limbs as thick rounded strokes and a head: a person hinging, not a line.
    limb = ui.px(26)
    for a, b in BONES:
        if a >= 5 and b >= 5:  # the body; the face's points only place the head
            pygame.draw.line(ui.surface, GREEN, pts[a], pts[b], limb)
    for p in pts[5:]:
        pygame.draw.circle(ui.surface, GREEN, p, limb // 2)
    head = ((pts[3][0] + pts[4][0]) / 2, (pts[3][1] + pts[4][1]) / 2)
    pygame.draw.circle(ui.surface, GREEN, head, ui.px(40))


def _guidance_banner(ui: Ui, text: str | None, ready_text: str) -> None:
    colour = GREEN if text is None else AMBER
    box = ui.rect(60, 900, 1100, 130)
    pygame.draw.rect(ui.surface, colour, box, border_radius=ui.px(20))
    ui.text(ready_text if text is None else text, (610, 965), 64, BG, anchor="center", bold=True)


def chosen(ui: Ui, shown: Shown, view: View) -> None:
    drill = shown.drill
    camera_view(ui, ui.rect(*CAMERA_BOX), view.image, view.keypoints, view.scale,
                colour=GREEN if shown.ready else AMBER)  # fmt: skip
    _guidance_banner(ui, shown.guidance, f"Ready: press {key(view, 'START')}")
    x = 1220
    ui.text(drill.name, (x, 70), 84, INK, bold=True)
    y = ui.wrapped(drill.summary, (x, 170), 44, 640, MUTED)
    y += 30
    for cue in drill.cues:
        pygame.draw.circle(ui.surface, GREEN, ui.at(x + 14, y + 22), ui.px(10))
        y = ui.wrapped(cue, (x + 40, y), 50, 600, INK) + 16
    ui.text(f"Drill {shown.drill_index + 1} of {len(shown.drill_names)}", (x, 880), 40, MUTED)
    ui.text(f"{key(view, 'SELECT')}: next drill", (x, 925), 46, GREEN, bold=True)
    ui.text(f"{key(view, 'START')}: begin", (x, 985), 46, GREEN, bold=True)


def set_screen(ui: Ui, shown: Shown, view: View, now: float) -> None:
    """Mid-set: the count, one lamp a fault and one cue, every word at least MID_SET_TEXT (two metres)."""
    lamps = shown.lamps
    lit = any(lamp.lit for lamp in lamps)
    camera_view(ui, ui.rect(*CAMERA_BOX), view.image, view.keypoints, view.scale, colour=RED if lit else GREEN)
    ui.text(shown.drill.name, (60, 928), 56, INK, bold=True)
    ui.text(shown.cue.text, (60, 990), 56, TONES[shown.cue.tone], bold=True)
    flash = shown.rep_flash_at
    pulse = min(1.0, max(0.0, 1.0 - (now - flash) / 0.4)) if flash is not None else 0.0
    rep_count(ui, (1500, 235), shown.reps, pulse)
    top, bottom, gap = 470, 1010, 12
    height = min(110, (bottom - top) / max(1, len(lamps)) - gap)
    for i, lamp in enumerate(lamps):
        fault_lamp(ui, 1160, top + i * (height + gap), 720, height, lamp)
    ui.text(f"{key(view, 'START')}: finish the set", (1880, 1066), MID_SET_TEXT, MUTED, anchor="bottomright")


def summary(ui: Ui, shown: Shown, view: View) -> None:
    report = shown.report or SetReport(shown.drill.id)
    reps = report.reps
    ui.text(f"{shown.drill.name}: set done", (60, 40), 72, INK, bold=True)
    ui.text(f"{report.count}", (60, 120), 220, INK, bold=True)
    ui.text("rep" if report.count == 1 else "reps", (60, 300), 56, MUTED)
    ui.text(f"{report.good_reps} good", (330, 150), 110, GREEN, bold=True)
    # What to fix and what went well, as the core words them.
    if shown.to_fix:
        ui.text("To fix:", (900, 70), 50, MUTED)
        ui.wrapped(shown.to_fix, (900, 125), 56, 960, RED)
    if shown.went_well:
        ui.text("Went well:", (900, 260), 50, MUTED)
        ui.wrapped(shown.went_well, (900, 310), 52, 960, GREEN)
    n = max(1, len(reps))
    tile_w = min(220, (1800 - 12 * (n - 1)) / n)
    for i, rep in enumerate(reps[:20]):
        rep_tile(ui, 60 + i * (tile_w + 12), 400, tile_w, 240, rep)
    if shown.trace:
        # Drawn once per set, not per redraw: after a ten-minute set the chart took a quarter second.
        key = (id(report), len(shown.trace), ui.px(1380))
        if view.chart is None or view.chart[0] != key:
            chart = draw_trace(
                list(shown.trace),
                reps,
                size=(ui.px(1380), ui.px(330)),
                title="Hip angle over the set",
                text_scale=ui.px(330) / 160,
            )  # words a lifter reads from a step back
            view.chart = (key, pygame.image.frombuffer(chart.tobytes(), chart.shape[1::-1], "RGB"))
        ui.surface.blit(view.chart[1], ui.rect(60, 670, 0, 0))
    if report.count:
        take_home_code(ui, shown, view, report)
    ui.text("Press any button to go again", (1440, 1066), 40, GREEN, anchor="bottomright", bold=True)


def take_home_code(ui: Ui, shown: Shown, view: View, report: SetReport) -> None:
    """The set as a QR code a phone reads as plain text: made once per set, at the set's end time."""
    key = (id(report), ui.px(QR_SIZE))
    if view.set_finished_at is None:
        return  # not stored (yet): no code to take home
    if view.take_home is None or view.take_home[0] != key:
        text, matrix = take_home(report, shown.drill.name, view.set_finished_at)
        view.take_home = (key, qr_code(matrix, ui.px(QR_SIZE)), text)
    code = view.take_home[1]
    x, y = ui.at(1880, 660)
    ui.surface.blit(code, (x - code.get_width(), y))
    ui.text("Scan: your set on your phone", (1880, 650), 30, MUTED, anchor="bottomright")


def problem(ui: Ui, shown: ProblemShown) -> None:
    box = ui.rect(160, 200, 1600, 600)
    pygame.draw.rect(ui.surface, PANEL, box, border_radius=ui.px(30))
    pygame.draw.rect(ui.surface, AMBER, box, width=ui.px(8), border_radius=ui.px(30))
    ui.text(shown.title, (960, 330), 100, AMBER, anchor="center", bold=True)
    ui.wrapped(shown.advice, (260, 440), 56, 1400, INK)
    if shown.kept:
        ui.text(shown.kept, (260, 700), 52, GREEN)


def health(ui: Ui, shown: Shown, view: View, now: float) -> None:
    """The owner's page: the same lines as `station status`, big enough to read standing."""
    ui.text("Station health", (60, 40), 80, INK, bold=True)
    lines = view.status or ["Reading the station..."]
    box = ui.rect(60, 150, 1800, 820)
    pygame.draw.rect(ui.surface, PANEL, box, border_radius=ui.px(24))
    size = min(52.0, 760 / max(1, len(lines)) * 0.8)
    for i, line in enumerate(lines):
        key, _, value = line.partition(": ")
        y = 180 + i * size * 1.25
        if value:
            bad = any(w in value for w in ("lost", "no model", "throttled now", "under-voltage now", "not running"))
            ui.text(key, (100, y), size, MUTED)
            ui.text(value, (700, y), size, AMBER if bad else INK, bold=bad)
        else:
            ui.text(line, (100, y), size, INK, bold=True)
    left = max(0, int(shown.leaves_at - now))
    ui.text(f"Any button: back. This page closes by itself in {left} s.", (60, 1010), 40, MUTED)


CHECK_TITLES = {"distance": "Distance", "height": "Height and tilt", "angle": "Angle", "light": "Light",
                "scene": "Background"}  # fmt: skip


def place(ui: Ui, shown: Shown, view: View) -> None:
    """The installer's page: the live picture, and each check with pass or fail and what to change."""
    placed = shown.placed
    passed = placed is not None and placed.passed
    camera_view(ui, ui.rect(*CAMERA_BOX), view.image, view.keypoints, view.scale, colour=GREEN if passed else AMBER)
    x = 1180
    ui.text("Placement check", (x, 40), 72, INK, bold=True)
    if placed is None:
        ui.wrapped("Stand on the floor mark, side-on to the camera, arms down.", (x, 150), 46, 680, MUTED)
    else:
        y = 140.0
        for check in placed.checks:
            colour = GREEN if check.passed else (MUTED if check.passed is None else RED)
            pygame.draw.circle(ui.surface, colour, ui.at(x + 18, y + 26), ui.px(16))
            ui.text(CHECK_TITLES[check.name], (x + 50, y), 46, INK, bold=True)
            y += 56
            if check.passed is False or check.passed is None:
                y = ui.wrapped(check.advice, (x + 50, y), 36, 650, colour) + 6
            y = ui.wrapped(check.figure, (x + 50, y), 28, 650, MUTED) + 18
    if passed and shown.placement_unrecorded:
        ui.text("Good placement, not recorded: " + shown.placement_unrecorded, (60, 1000), 40, AMBER, bold=True)
    elif passed:
        ui.text("Good placement: recorded", (60, 1000), 56, GREEN, bold=True)
    elif placed is not None and placed.good_for_s > 0:
        ui.text("All good: hold still...", (60, 1000), 56, GREEN, bold=True)
    ui.text("Any button: back", (1880, 1060), 36, MUTED, anchor="bottomright")
