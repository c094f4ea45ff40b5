"""systemd notify: READY with the first frame, WATCHDOG only while frames move; checked live too."""

import os
import socket
import subprocess
import sys
import time

import pytest

from station.edges.notify import Notifier
from tests.conftest import shared_path


@pytest.fixture
def listener(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.05)
    yield path, sock
    sock.close()


def _messages(sock) -> list[tuple[float, str]]:
    out = []
    while True:
        try:
            out.append((time.monotonic(), sock.recv(4096).decode()))
        except TimeoutError:
            return out


def test_ready_once_then_watchdog_only_while_frames_move(listener):
    path, sock = listener
    n = Notifier(path, watchdog_s=0.3)
    n.progress(shown=True, frames=0, now=0.0)
    assert _messages(sock) == []  # nothing shown from the camera yet: not ready
    for i in range(1, 11):
        n.progress(shown=True, frames=i, now=i * 0.1)
    sent = [m for _, m in _messages(sock)]
    assert sent[0].startswith("READY=1") and sent.count("WATCHDOG=1") >= 3
    for i in range(11, 40):
        n.progress(shown=True, frames=10, now=i * 0.1)  # the frames have stopped
    assert _messages(sock) == []


def _run_station(path: str, source: str, seconds: float) -> subprocess.Popen:
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="600000", SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("WATCHDOG_PID", None)
    cmd = [sys.executable, "-m", "station", "run", "--source", source, "--size", "640x360", "--seconds", str(seconds)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_stalled_source_stops_the_watchdog(listener):
    path, sock = listener
    proc = _run_station(path, str(shared_path("stills", "standing_man.jpeg")), 5)  # one frame, then nothing
    messages = []
    while proc.poll() is None:
        messages += _messages(sock)
    messages += _messages(sock)
    assert proc.returncode == 0, proc.stderr.read().decode()[-1000:]
    texts = [m for _, m in messages]
    assert any(m.startswith("READY=1") for m in texts)
    pings = [t for t, m in messages if m == "WATCHDOG=1"]
    assert len(pings) <= 2 and messages[-1][1] in ("STOPPING=1", "WATCHDOG=1", "READY=1\nSTATUS=Coaching")
    assert not [t for t in pings if t > messages[0][0] + 2.0]


def test_a_moving_source_keeps_the_watchdog_fed(listener):
    path, sock = listener
    proc = _run_station(path, "synthetic:rdl", 4)
    messages = []
    while proc.poll() is None:
        messages += _messages(sock)
    assert proc.returncode == 0
    assert sum(1 for _, m in messages if m == "WATCHDOG=1") >= 6
