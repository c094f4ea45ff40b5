"""`station` (or `python -m station`): the kiosk and the tools around it, one subcommand each."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
from pathlib import Path

from station.errors import StationError

DEFAULT_BENCH_CLIP = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "footage" / "kb-deadlift_side_correct.mp4"
)


def _cmd_model(args: argparse.Namespace) -> int:
    from station.edges.pose import model

    if args.action == "install":
        path = model.install(Path(args.from_dir) if args.from_dir else None)
        print(f"The pose model is installed and verified at {path}.")
        return 0
    path = model.find_model()
    print(f"The pose model is present and verified at {path}.")
    return 0


def _cmd_pose(args: argparse.Namespace) -> int:
    from station.compose import pose_model
    from station.config import load
    from station.edges.camera.pick import open_source
    from station.edges.pose.pipeline import estimator_for, poses

    if args.out:
        check_output_path(args.out, "pose output")
    config = load(args.config)  # the site's [pose] settings: the keypoints the kiosk would see
    source = open_source(args.source)
    with contextlib.ExitStack() as stack:
        stack.callback(source.close)  # closed however it ends, a model that will not load too
        estimator = estimator_for(source, lambda: pose_model(config, args.threads))
        out = stack.enter_context(open(args.out, "w", encoding="utf-8")) if args.out else sys.stdout
        for _frame, pose in poses(source, estimator):
            out.write(json.dumps(pose.to_json()) + "\n")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from station.compose import pose_model
    from station.config import load
    from station.tools.bench import bench_pose

    config = load(args.config)  # this station's settings: the figures of the kiosk on the wall
    clip = Path(args.clip) if args.clip else DEFAULT_BENCH_CLIP
    if not clip.exists():
        raise StationError(f"There is no clip at {clip} to benchmark on: name one.")
    ratio = bench_pose(clip, lambda: pose_model(config, args.threads))
    if not args.no_live:
        from station.tools.bench import bench_live, bench_ui

        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        bench_ui(config)
        bench_live(clip, config)
    print(f"pipeline/invoke: {ratio:.3f}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from station.compose import analysis
    from station.config import load
    from station.edges.camera.pick import CAMERAS
    from station.tools.analyze import analyze, format_table

    if args.plot:
        check_output_path(args.plot, "plot", (".png",))
    if args.clip in CAMERAS or args.clip.startswith(("synthetic", "live:")):
        raise StationError("analyze reads a clip or an image: for the camera or the synthetic athlete, `station run`.")
    parts = analysis(load(args.config), args.drill)  # the kiosk's own config: the wall's answer
    pose_fps = _pose_fps(args.pose_fps)
    from station.edges.progress import Progress

    progress = Progress(f"{Path(args.clip).name}: frames analysed")  # on a terminal's stderr only
    report, trace = analyze(
        args.clip, parts.drill, settings=parts.coach, pose_fps=pose_fps, progress=progress,
        load_estimator=parts.load_estimator,
    )  # fmt: skip
    if args.plot:
        from station.edges.display.chart import draw_trace, save_png

        save_png(draw_trace(trace, report.reps, title=f"{Path(args.clip).name}: {args.drill}"), args.plot)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(format_table(report))
    return 0


def _pose_fps(value: float | None) -> float | None:
    if value is None:
        return None
    if not (value == value and 1.0 <= value <= 240.0):
        raise StationError(f"--pose-fps takes frames a second from 1 to 240, not '{value}'.")
    return float(value)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from station.edges.paths import data_dir
    from station.tools import calibrate as cal

    footage = Path(args.footage)
    if not footage.is_dir():
        raise StationError(f"There is no folder {footage}: name the folder holding the clips and labels.json.")
    if args.csv:
        check_output_path(args.csv, "CSV", (".csv",))
    try:
        rates = [_pose_fps(float(r)) for r in args.pose_fps.split(",")] if args.pose_fps else []
    except ValueError:
        raise StationError(f"--pose-fps takes rates like 30,15,10,7, not '{args.pose_fps}'.") from None
    if not args.verbose:
        logging.getLogger("station.core.coach").setLevel(logging.WARNING)  # a line a rep: not wanted here
    labels = cal.load_labels(footage)
    cache = Path(args.cache) if args.cache else data_dir() / "pose-cache"
    progress = cal.progress_printer()
    results = cal.analyse_clips(footage, labels, cache, None, progress, args.kernels)
    progress("")
    if args.csv:
        cal.write_csv(cal.rep_rows(results), Path(args.csv))
    print("\n".join(cal.report_lines(results)))
    if rates:
        by_rate = {"every frame": results}
        for rate in rates:
            by_rate[f"{rate:g}"] = cal.analyse_clips(footage, labels, cache, rate, progress, args.kernels)
            progress("")
        print("\n## The same clips at a slow model's pose rate\n")
        print("\n".join(cal.pose_rate_lines(by_rate)))
    return 0


def check_output_path(path: str, what: str, suffixes: tuple[str, ...] = ()) -> Path:
    """An output file's folder must exist and be writable before any work starts (one sentence if not)."""
    out = Path(path)
    if len(out.name.encode()) > 255:
        raise StationError(f"The {what} file name is longer than 255 bytes: choose a shorter one.")
    if suffixes and out.suffix.lower() not in suffixes:
        raise StationError(f"The {what} must end in {' or '.join(suffixes)}, not '{out.suffix or out.name}'.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise StationError(f"There is no folder {folder} for the {what}: create it first.")
    if out.is_dir():
        raise StationError(f"The {what} path {out} is a folder: name a file.")
    if out.exists() and not (out.is_file() or out.is_char_device()):  # a FIFO would block the run's end for ever
        raise StationError(f"The {what} path {out} is not a regular file: name a file.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise StationError(f"The {what} cannot be written at {out}: the folder or file is not writable.")
    if not out.exists():  # root passes every access check: try the folder itself (/proc takes no new file)
        try:
            os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
            out.unlink()
        except OSError as exc:
            raise StationError(f"The {what} cannot be written at {out} ({exc.strerror or exc}).") from None
    return out


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not all(160 <= int(p) <= 8192 for p in parts):
        raise StationError(f"--size takes a width and height in pixels like 800x480 (160 to 8192), not '{text}'.")
    return int(parts[0]), int(parts[1])


def _cmd_run(args: argparse.Namespace) -> int:
    from station.app import RunOptions, main_run
    from station.config import load

    if args.screenshot:
        check_output_path(args.screenshot, "screenshot", (".png", ".bmp", ".jpg", ".jpeg", ".tga"))
    if args.seconds is not None and not (math.isfinite(args.seconds) and 0 < args.seconds <= 365 * 86400):
        raise StationError(f"--seconds takes a number of seconds above 0, not '{args.seconds}'.")
    config = load(args.config)
    options = RunOptions(
        source=args.source, drill=args.drill, windowed=args.windowed, exit_at_end=args.exit_at_end,
        screenshot=args.screenshot, max_seconds=args.seconds, size=_size(args.size) if args.size else None,
        place=args.place,
    )  # fmt: skip
    if options.place and options.windowed:
        # A try at a desk, not the station on the wall: its placements stay out of the gym's history.
        import tempfile

        options.data_folder = Path(tempfile.mkdtemp(prefix="hinge-place-"))
        logging.getLogger("station").info("a windowed placement try: what it records goes to %s", options.data_folder)
    from station.edges.camera.pick import CAMERAS

    if args.exit_at_end:
        if options.source is None or options.source in CAMERAS or options.drill is None:
            raise StationError("--exit-at-end needs --source FILE and --drill ID.")
        if options.source.startswith(("synthetic", "live:")):
            # The synthetic athlete and a clip played as a camera never end: the run would never exit.
            raise StationError(
                "--exit-at-end needs a clip or an image that ends: for live: or synthetic, use --seconds."
            )
    return main_run(options, config)


def _cmd_history(args: argparse.Namespace) -> int:
    from station.edges.paths import data_dir
    from station.edges.storage.history import History, format_history, format_placements

    if args.import_file:
        return _import_sets(Path(args.import_file))
    folder = data_dir(create=False)
    if not (folder / "history.sqlite3").exists():
        print(format_history([], args.csv))
        return 0
    history = History.reader(folder)  # read-only: a reader (or root) never creates or changes a file
    try:
        if args.placements:
            print(format_placements(history.placements(), args.csv))
        else:
            print(format_history(history.sets(args.since), args.csv))
    finally:
        history.close()
    return 0


def _import_sets(path: Path) -> int:
    """`station history --import FILE`: sets from a saved system log, a journal or its damaged lines."""
    from station.edges.paths import data_dir, refuse_foreign_folder
    from station.edges.storage.history import History
    from station.edges.storage.journal import sets_in_text

    folder = data_dir()
    refuse_foreign_folder(folder)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StationError(f"The file {path} cannot be read ({exc.strerror or exc}).") from None
    entries, unreadable = sets_in_text(data)
    if not entries:
        raise StationError(f"There is no set in {path} to import ({unreadable} line(s) looked like one).")
    history = History.open(folder)
    try:
        new = history.record_many(entries)
    finally:
        history.close()
    print(f"{new} set(s) imported into the history, {len(entries) - new} were there already"
          + (f", {unreadable} line(s) were not sets." if unreadable else "."))  # fmt: skip
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from station.edges.health import read_status
    from station.edges.paths import data_dir

    print("\n".join(read_status(data_dir(create=False)).lines()))
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    import signal

    from station.config import load
    from station.edges.paths import data_dir
    from station.fleet.sender import Sender, init_database, password

    settings = load(args.config).sync
    secret = password(args.password_file)
    if args.init:
        print(init_database(settings, secret))
        return 0
    if not settings.enabled and not args.once:
        logging.getLogger("station.sync").warning(
            "syncing is off: set enabled = true in [sync] of the config, then restart hinge-station-sync"
        )
        return 0
    state = Path(args.state or os.environ.get("STATE_DIRECTORY", "").split(":")[0] or data_dir(create=False) / "sync")
    sender = Sender(settings, data_dir(create=False), state, secret)
    if args.once:
        sender.step()
        return 0 if sender.failures == 0 else 1
    signal.signal(signal.SIGTERM, lambda *_: sender.stop.set())
    signal.signal(signal.SIGINT, lambda *_: sender.stop.set())
    sender.run()
    return 0


def _fleet_connection(url: str, password_file: str | None):
    from station.config import url_has_password
    from station.fleet.problems import explain, is_database_error
    from station.fleet.sender import SyncSettings, connect, password

    if not url.startswith(("postgresql://", "postgres://")):
        raise StationError("--db takes postgresql://USER@HOST:5432/DBNAME.")
    if url_has_password(url):  # a command line is seen by every user of the machine (ps) and kept in shells' history
        raise StationError("--db holds a password: give it with --password-file FILE instead.")
    try:
        return connect(SyncSettings(database_url=url), password(password_file))
    except Exception as exc:
        if is_database_error(exc):
            raise StationError(f"The fleet database {url}: {explain(exc)}.") from None
        raise


def _cmd_fleet_report(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta, timezone

    from station.edges.storage.history import since_utc
    from station.fleet.problems import explain, is_database_error
    from station.fleet.report import format_csv, format_html, format_text, read_report

    if args.html:
        check_output_path(args.html, "HTML report", (".html", ".htm"))
    since = (datetime.fromisoformat(since_utc(args.since)) if args.since
             else datetime.now(timezone.utc) - timedelta(days=30))  # fmt: skip
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(args.tz)
    except (ValueError, KeyError, OSError):
        raise StationError(f"--tz takes a time zone like Europe/London or UTC, not '{args.tz}'.") from None
    conn = _fleet_connection(args.db, args.password_file)
    try:
        report = read_report(conn, since, args.tz)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        raise StationError(f"The fleet report cannot be read from {args.db}: {explain(exc)}.") from None
    finally:
        conn.close()
    print(format_csv(report) if args.csv else format_text(report), end="" if args.csv else "\n")
    if args.html:
        Path(args.html).write_text(format_html(report), encoding="utf-8")
    return 0


def _cmd_fleet_bench(args: argparse.Namespace) -> int:
    from station.fleet.bench import bench

    if not 1 <= args.stations <= 1000 or not 1 <= args.sets <= 1_000_000:
        raise StationError("--stations takes 1 to 1000 and --sets 1 to 1,000,000.")
    conn = _fleet_connection(args.db, args.password_file)
    conn.close()
    bench(args.db, args.stations, args.sets, args.password_file)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    from station.config import load

    load(args.config)
    where = f"at {args.config}" if args.config else "(defaults, or /etc/hinge-station/config.toml)"
    print(f"The config {where} is valid.")
    return 0


def _cmd_views(args: argparse.Namespace) -> int:
    from station.config import load
    from station.tools.viewcheck import format_table, view_table

    print(format_table(view_table(load(args.config))))
    return 0


def _cmd_soak(args: argparse.Namespace) -> int:
    from station.tools.soak import WARMUP_FRAMES, soak

    if not WARMUP_FRAMES < args.frames <= 10_000_000:
        raise StationError(f"--frames must be above the {WARMUP_FRAMES}-frame warm-up (and at most 10 million).")
    from station.config import load

    soak(args.frames, config=load(args.config))
    return 0


SITE_CONFIG = "config file, as the kiosk reads it (default: the system one)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="station", description="Hinge Station: a hip-hinge coach for the gym wall.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("model", help="install or check the pose model")
    p.add_argument("action", choices=["install", "check"])
    p.add_argument(
        "--from", dest="from_dir", metavar="FILE_OR_DIR", help="copy the model from this file or its folder (only read)"
    )
    p.set_defaults(func=_cmd_model)

    p = sub.add_parser("pose", help="print keypoints per frame as JSON lines")
    p.add_argument("source", help="a clip, an image, 'camera' or 'synthetic'")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--threads", type=int, default=None, help="inference threads (default: all cores)")
    p.add_argument("--config", metavar="FILE", help=SITE_CONFIG)
    p.set_defaults(func=_cmd_pose)

    p = sub.add_parser("analyze", help="count reps and call faults on a clip")
    p.add_argument("clip")
    p.add_argument("--drill", required=True, help="dowel-hinge, wall-touch, rdl, deadlift or kb-swing")
    p.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    p.add_argument("--plot", metavar="FILE.png", help="draw the hip angle with each rep and its faults")
    p.add_argument(
        "--pose-fps", type=float, metavar="N",
        help="see only the frames a model this fast would (a Pi 4 manages about 10, a Pi 5 about 25)",
    )  # fmt: skip
    p.add_argument("--config", metavar="FILE", help=SITE_CONFIG)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("calibrate", help="the coach against labelled clips: margins, held-out figures, a per-rep CSV")
    p.add_argument("footage", help="a folder of clips with their labels.json")
    p.add_argument("--csv", metavar="FILE.csv", help="write every rep's metrics and labels here")
    p.add_argument("--cache", metavar="DIR", help="keep the clips' poses here (default: the data folder's pose-cache)")
    p.add_argument("--pose-fps", metavar="N,N", help="also score the clips at these pose rates, e.g. 30,15,10,7")
    p.add_argument(
        "--kernels",
        choices=["auto", "builtin", "reference"],
        default="auto",
        help="the model's int8 kernels (another processor's round differently: see docs/figures.md)",
    )
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser("run", help="the kiosk")
    p.add_argument("--source", help="camera, synthetic[:DRILL[:FAULT]], a clip or an image (default: camera if any)")
    p.add_argument("--drill", help="start on this drill (with a clip: the set starts by itself)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--config", metavar="FILE", help="config file (default /etc/hinge-station/config.toml)")
    p.add_argument("--exit-at-end", action="store_true", help="with --source FILE: exit when the clip ends")
    p.add_argument("--screenshot", metavar="FILE", help="save the last screen as PNG")
    p.add_argument("--size", metavar="WxH", help="window size, e.g. 800x480")
    p.add_argument("--seconds", type=float, help="quit after this many seconds (soak tests, demos)")
    p.set_defaults(func=_cmd_run, place=False)

    p = sub.add_parser("place", help="the installer's placement check, live (on the kiosk: hold SELECT 5 s)")
    p.add_argument("--source", help="camera, synthetic[:DRILL[:FAULT]] or a clip (default: camera if any)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--config", metavar="FILE", help="config file (default /etc/hinge-station/config.toml)")
    p.add_argument("--screenshot", metavar="FILE", help="save the last screen as PNG")
    p.add_argument("--size", metavar="WxH", help="window size, e.g. 800x480")
    p.add_argument("--seconds", type=float, help="quit after this many seconds")
    p.set_defaults(func=_cmd_run, place=True, drill=None, exit_at_end=False)

    p = sub.add_parser("history", help="list finished sets")
    p.add_argument("--csv", action="store_true")
    p.add_argument("--since", metavar="DATE", help="only sets finished on or after DATE (YYYY-MM-DD)")
    p.add_argument("--placements", action="store_true", help="the placement checks that passed, not the sets")
    p.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="store the sets in FILE (a saved system log, the journal or its damaged lines), each once",
    )
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("status", help="the station's health as text: kiosk, camera, temperature, disk, sets")
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("sync", help="send finished sets and health beats to the gym's PostgreSQL ([sync] table)")
    p.add_argument("--config", metavar="FILE", help="config file (default /etc/hinge-station/config.toml)")
    p.add_argument("--init", action="store_true", help="create or migrate the database's tables, then exit")
    p.add_argument("--once", action="store_true", help="deliver what waits and one beat, then exit")
    p.add_argument("--state", metavar="DIR", help="where the sender keeps its cursor (default: $STATE_DIRECTORY)")
    p.add_argument("--password-file", metavar="FILE", help="the database password (default: systemd's credential)")
    p.set_defaults(func=_cmd_sync)

    p = sub.add_parser("fleet", help="the owner's report from the gym's database, and its benchmark")
    fleet = p.add_subparsers(dest="fleet_command", required=True)
    q = fleet.add_parser("report", help="per station: up or down, sets and reps per day, drills, faults")
    q.add_argument("--db", required=True, metavar="URL", help="postgresql://USER@HOST:5432/DBNAME")
    q.add_argument("--since", metavar="DATE", help="from this date (default: 30 days ago)")
    q.add_argument("--html", metavar="FILE", help="also write one self-contained HTML page with charts")
    q.add_argument("--csv", action="store_true", help="a CSV (station, day, drill, sets, reps, good reps) instead")
    q.add_argument("--tz", metavar="ZONE", default="UTC", help="whose days: e.g. Europe/London (default UTC)")
    q.add_argument("--password-file", metavar="FILE", help="the database password, if it needs one")
    q.set_defaults(func=_cmd_fleet_report)
    q = fleet.add_parser("bench", help="sync N sets from M stations into DB and time the report")
    q.add_argument("--db", required=True, metavar="URL", help="an empty scratch database: it is filled")
    q.add_argument("--stations", type=int, default=20)
    q.add_argument("--sets", type=int, default=10_000)
    q.add_argument("--password-file", metavar="FILE")
    q.set_defaults(func=_cmd_fleet_bench)

    p = sub.add_parser("config", help="check a config file")
    p.add_argument("--config", metavar="FILE")
    p.set_defaults(func=_cmd_config)

    p = sub.add_parser("views", help="which faults each view lets the coach judge (synthetic athlete), as a table")
    p.add_argument("--config", metavar="FILE", help=SITE_CONFIG)
    p.set_defaults(func=_cmd_views)

    p = sub.add_parser("soak", help="run the kiosk on the synthetic athlete for a long time; print memory")
    p.add_argument("--frames", type=int, default=100_000)
    p.add_argument("--config", metavar="FILE", help=SITE_CONFIG)
    p.set_defaults(func=_cmd_soak)

    p = sub.add_parser("bench", help="time the pipeline and print the figures")
    p.add_argument("clip", nargs="?", help="clip to time on (default: the shared kettlebell clip)")
    p.add_argument("--no-live", action="store_true", help="skip the live path (the kiosk on the clip as a camera)")
    p.add_argument("--threads", type=int, default=None, help="inference threads (default: all cores)")
    p.add_argument("--config", metavar="FILE", help=SITE_CONFIG)
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except StationError as exc:
        print(f"station: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`station pose clip.mp4 | head`): what it wanted it has; no traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        # What the system refused (a name too long, a device gone): one sentence, like every mistake.
        where = f" ({exc.filename})" if exc.filename and len(str(exc.filename)) < 120 else ""
        print(f"station: {exc.strerror or exc}{where}.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
