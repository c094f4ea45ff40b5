"""The site's config file (TOML) as frozen dataclasses, checked before anything starts.

One file, /etc/hinge-station/config.toml or `--config FILE`; with none, the defaults. Every key
is listed in README.md with its default. A wrong type, an unknown key, a pin used twice or a
threshold out of range stops start-up with one sentence that names the key.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from station.core.coach.back import BackSettings
from station.core.coach.filters import SmoothingSettings
from station.core.coach.posture import ViewSettings
from station.core.coach.session import CoachSettings
from station.core.drills import DRILLS, FAULT_IDS, Drill, Thresholds
from station.core.hours import OpeningHours
from station.core.kiosk.state import KioskSettings
from station.core.placement import PlacementSettings
from station.edges.camera.picam import CameraSettings
from station.edges.gpio.buttons import ButtonSettings
from station.edges.gpio.leds import LedSettings
from station.edges.pose.movenet import PoseSettings
from station.edges.sound import SoundSettings
from station.errors import StationError
from station.fleet.sender import SyncSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SYSTEM_CONFIG = Path("/etc/hinge-station/config.toml")


@dataclass(frozen=True)
class PoseConfig:
    threads: int = 0  # 0: all cores
    settings: PoseSettings = field(default_factory=PoseSettings)


@dataclass(frozen=True)
class Config:
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    buttons: ButtonSettings = field(default_factory=ButtonSettings)
    leds: LedSettings = field(default_factory=LedSettings)
    sound: SoundSettings = field(default_factory=SoundSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    pose: PoseConfig = field(default_factory=PoseConfig)
    coach: CoachSettings = field(default_factory=CoachSettings)
    drills: dict[str, Drill] = field(default_factory=lambda: dict(DRILLS))
    display: OpeningHours = field(default_factory=OpeningHours)  # [display] opening hours; none: always on
    placement: PlacementSettings = field(default_factory=PlacementSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)


# Where each TOML table lands: (table name, dataclass, path into Config)
_TABLES: dict[str, type] = {
    "kiosk": KioskSettings, "buttons": ButtonSettings, "leds": LedSettings, "sound": SoundSettings,
    "camera": CameraSettings, "pose": PoseSettings, "view": ViewSettings,
    "smoothing": SmoothingSettings, "back": BackSettings, "placement": PlacementSettings,
    "sync": SyncSettings,
}  # fmt: skip
# Every number has a closed range: a value that passes here cannot crash a set or count nothing.
_RANGES: dict[str, tuple[float, float]] = {
    "kiosk.idle_s": (5, 3600), "kiosk.summary_s": (3, 600), "kiosk.walk_away_s": (1, 120),
    "kiosk.screen_fps": (5, 120), "kiosk.camera_retry_s": (0.5, 60), "kiosk.health_s": (5, 600),
    "buttons.bounce_s": (0, 1), "buttons.health_hold_s": (1, 30), "buttons.place_hold_s": (1, 30),
    "buttons.hold_s": (0.3, 10), "sound.volume": (0, 1), "camera.fps": (5, 120), "pose.threads": (0, 64),
    "pose.keypoint_score": (0.05, 0.95), "pose.person_mean_score": (0.05, 0.95),
    "pose.person_keypoints": (3, 17), "pose.extent_score": (0.01, 0.95), "pose.crop_margin": (1, 4),
    "pose.torso_reach": (0.5, 5), "pose.min_crop_fraction": (0.05, 1), "pose.centre_preference": (0, 1),
    "pose.refine_passes": (0, 10), "pose.crop_hold": (0, 1),
    "view.min_score": (0.05, 0.95), "view.side_max_yaw": (0, 60), "view.front_min_yaw": (30, 90),
    "view.measure_max_yaw": (0, 80), "view.midline_from_yaw": (0, 60), "view.shoulder_width": (0.2, 1.5),
    "view.hip_width": (0.1, 1), "view.edge_margin": (0, 0.2),
    "smoothing.min_cutoff_hz": (0.01, 30), "smoothing.beta": (0, 100), "smoothing.derivative_cutoff_hz": (0.01, 30),
    "smoothing.hold_s": (0, 5),
    "back.profiles": (3, 60), "back.first": (0, 0.5), "back.last": (0.5, 1), "back.reach": (0.1, 2),
    "back.scene_from": (0.1, 1.5), "back.body_within": (0.05, 1), "back.min_contrast": (1, 400),
    "back.texture_ratio": (0, 20), "back.min_edges": (3, 60), "back.max_residual": (0.001, 1),
    "back.max_speed": (0.05, 20),
    "placement.min_height": (0.2, 0.95), "placement.max_height": (0.3, 1), "placement.margin": (0, 0.2),
    "placement.room_ahead": (0, 1.5), "placement.room_behind": (0, 1.5), "placement.max_roll_deg": (1, 30),
    "placement.max_backlight": (1, 20), "placement.blown_out": (0.01, 1), "placement.min_light": (0, 200),
    "placement.contrast_headroom": (0.5, 5), "placement.max_moving": (0, 0.5), "placement.min_known": (0, 1),
    "placement.camera_vfov_deg": (10, 150), "placement.typical_height_m": (1, 2.5), "placement.window_s": (0.2, 10),
    "placement.hold_s": (0.5, 30), "placement.timeout_s": (10, 3600),
    "sync.interval_s": (1, 86400), "sync.beat_s": (10, 86400), "sync.batch": (1, 10000),
    "sync.max_backoff_s": (1, 86400), "sync.connect_timeout_s": (1, 300),
}  # fmt: skip
_DEFAULT_RANGE = (0, 1e6)  # any number not listed: finite and not negative
_PIXEL_RANGE = (16, 4096)  # camera sizes
MAX_CONFIG_BYTES = 1_000_000
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_PIN_RANGE = (2, 27)


def url_has_password(url: str) -> bool:
    """A password anywhere in a database URL: in its user part (user:pw@) or its query (?password=)."""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    query = {k.lower() for k in parse_qs(parts.query, keep_blank_values=True)}
    return ":" in userinfo or "password" in query or "passfile" in query


def _check_value(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise StationError(f"Config key {key} must be true or false, not {value!r}.")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise StationError(f"Config key {key} must be a number, not {value!r}.")
        if isinstance(default, int) and not isinstance(value, int):
            raise StationError(f"Config key {key} must be a whole number, not {value!r}.")
        if not math.isfinite(value):
            raise StationError(f"Config key {key} must be a finite number, not {value!r}.")
        lo, hi = _RANGES.get(key, _DEFAULT_RANGE)
        if not lo <= value <= hi:
            raise StationError(f"Config key {key} is {value}, outside {lo:g} to {hi:g}.")
        return type(default)(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or len(value) != len(default) or not all(isinstance(v, int) for v in value):
            raise StationError(
                f"Config key {key} must be a list of {len(default)} whole numbers, like {list(default)}."
            )
        if not all(_PIXEL_RANGE[0] <= v <= _PIXEL_RANGE[1] for v in value):
            raise StationError(f"Config key {key} must hold sizes from {_PIXEL_RANGE[0]} to {_PIXEL_RANGE[1]} pixels.")
        return tuple(value)
    if isinstance(default, str):
        if not isinstance(value, str) or len(value) > 1000 or any(ord(c) < 32 for c in value):
            raise StationError(f"Config key {key} must be a line of text, not {value!r}.")
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise StationError(f"Config key {key} must be a table.")
        return value
    raise StationError(f"Config key {key} has a value of an unexpected kind.")


def _build(cls: type, table: dict[str, Any], prefix: str) -> Any:
    defaults = cls()
    known = {f.name for f in fields(cls)}
    changes = {}
    for key, value in table.items():
        if key not in known:
            raise StationError(f"Config key {prefix}.{key} is not a setting (known: {', '.join(sorted(known))}).")
        changes[key] = _check_value(f"{prefix}.{key}", value, getattr(defaults, key))
    return dataclasses.replace(defaults, **changes)


def _drill_overrides(table: dict[str, Any]) -> dict[str, Drill]:
    drills = dict(DRILLS)
    known = {f.name for f in fields(Thresholds)}
    for drill_id, overrides in table.items():
        if drill_id not in DRILLS:
            raise StationError(f"Config table drills.{drill_id} names no drill (known: {', '.join(DRILLS)}).")
        if not isinstance(overrides, dict):
            raise StationError(f"Config key drills.{drill_id} must be a table of thresholds.")
        current = DRILLS[drill_id].thresholds
        changes = {}
        for key, value in overrides.items():
            if key not in known:
                raise StationError(f"Config key drills.{drill_id}.{key} is not a threshold.")
            changes[key] = _check_value(f"drills.{drill_id}.{key}", value, getattr(current, key))
        thresholds = dataclasses.replace(current, **changes)
        if not 0 < thresholds.top_drop < thresholds.bottom_drop < 1:
            raise StationError(f"Config for drills.{drill_id} needs 0 < top_drop < bottom_drop < 1.")
        drills[drill_id] = dataclasses.replace(DRILLS[drill_id], thresholds=thresholds)
    return drills


def parse(data: dict[str, Any]) -> Config:
    """A Config from a parsed TOML document."""
    built: dict[str, Any] = {}
    threads = 0
    for name, value in data.items():
        if name in ("drills", "display"):  # tables of their own shape (drill ids, days)
            if not isinstance(value, dict):
                raise StationError(f"Config key {name} must be a table, [{name}].")
            continue
        if name not in _TABLES:
            raise StationError(
                f"Config table [{name}] is not known (known: {', '.join(sorted([*_TABLES, 'display', 'drills']))})."
            )
        if not isinstance(value, dict):
            raise StationError(f"Config key {name} must be a table, [{name}].")
        if name == "pose":  # `threads` sits beside the PoseSettings fields in [pose]
            threads = _check_value("pose.threads", value.get("threads", 0), 0)
            value = {k: v for k, v in value.items() if k != "threads"}
        built[name] = _build(_TABLES[name], value, name)
    leds = built.get("leds", LedSettings())
    for fault, pin in leds.pins.items():
        if fault not in FAULT_IDS:
            raise StationError(f"Config key leds.pins.{fault} names no fault (known: {', '.join(FAULT_IDS)}).")
        if isinstance(pin, bool) or not isinstance(pin, int) or not _PIN_RANGE[0] <= pin <= _PIN_RANGE[1]:
            raise StationError(f"Config key leds.pins.{fault} must be a GPIO number from 2 to 27, not {pin!r}.")
    buttons = built.get("buttons", ButtonSettings())
    used: dict[int, str] = {}
    pins = [("buttons.select_pin", buttons.select_pin), ("buttons.start_pin", buttons.start_pin)]
    if leds.enabled:
        pins += [(f"leds.pins.{f}", p) for f, p in leds.pins.items()]
    for key, pin in pins:
        if not _PIN_RANGE[0] <= pin <= _PIN_RANGE[1]:
            raise StationError(f"Config key {key} must be a GPIO number from 2 to 27, not {pin}.")
        if pin in used:
            raise StationError(f"Config key {key} uses GPIO {pin}, already used by {used[pin]}.")
        used[pin] = key
    back = built.get("back", BackSettings())
    if back.first >= back.last or back.min_edges > back.profiles:
        raise StationError("Config keys back.first/last/min_edges: need first < last, min_edges <= profiles.")
    from station.edges.pose.runtime import KERNELS

    pose = built.get("pose")
    if pose is not None and pose.kernels not in KERNELS:
        raise StationError(f"Config key pose.kernels must be one of {', '.join(KERNELS)}, not {pose.kernels!r}.")
    sync = built.get("sync", SyncSettings())
    if sync.sslmode not in SSL_MODES:
        raise StationError(f"Config key sync.sslmode must be one of {', '.join(SSL_MODES)}, not {sync.sslmode!r}.")
    if sync.database_url and not sync.database_url.startswith(("postgresql://", "postgres://")):
        raise StationError("Config key sync.database_url must look like postgresql://USER@HOST:5432/DBNAME.")
    if url_has_password(sync.database_url):
        raise StationError("Config key sync.database_url holds a password: keep it in the credential file instead.")
    placement = built.get("placement", PlacementSettings())
    if not placement.min_height < placement.max_height:
        raise StationError("Config keys placement.min_height and max_height: need min_height < max_height.")
    view = built.get("view", ViewSettings())
    if not view.side_max_yaw < view.front_min_yaw:
        raise StationError("Config keys view.side_max_yaw and view.front_min_yaw: need side_max_yaw < front_min_yaw.")
    pose_settings = built.pop("pose", PoseSettings())
    coach = CoachSettings(
        view=built.pop("view", ViewSettings()),
        smoothing=built.pop("smoothing", SmoothingSettings()),
        back=built.pop("back", BackSettings()),
    )
    return Config(
        **built,
        pose=PoseConfig(threads=threads, settings=pose_settings),
        coach=coach,
        drills=_drill_overrides(data.get("drills", {})),
        display=OpeningHours.parse(data.get("display", {})),
    )


def load(path: Path | str | None = None) -> Config:
    """The config at `path`, else /etc/hinge-station/config.toml if present, else the defaults."""
    if path is None:
        if not SYSTEM_CONFIG.exists():
            return Config()
        path = SYSTEM_CONFIG
    path = Path(path)
    if path.exists() and not path.is_file():
        raise StationError(f"The config {path} is not a regular file (a folder, a pipe or a device).")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise StationError(f"There is no config file at {path}.") from None
    except OSError as exc:
        raise StationError(f"The config file {path} cannot be read ({exc.strerror}).") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise StationError(f"The config file {path} is over {MAX_CONFIG_BYTES // 1000} kB: it is not a config file.")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StationError(f"The config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise StationError(f"The config file {path} is not valid TOML ({exc}).") from None
    except RecursionError:
        raise StationError(f"The config file {path} nests tables or lists too deeply to be a config.") from None
    return parse(data)
