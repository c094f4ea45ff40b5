"""A real PostgreSQL server for the fleet tests, in a temporary folder, and a TCP proxy that can cut
the network mid-transaction. Test infrastructure only: the product never starts a database."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def postgres_bin() -> Path | None:
    """The folder with initdb and postgres (Debian keeps them out of PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + postgres on 127.0.0.1:port, trust logins for the user `hinge` (the tests' only user).
    As root (CI), the server runs as the `postgres` system user, as PostgreSQL insists."""

    def __init__(self, root: Path) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install postgresql")
        self.bin = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root, but there is no `postgres` user to run the server") from None
            self.user = "postgres"
        root.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(root, self.user)
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "hinge", "--auth=trust", "-E", "UTF8",
                   "--no-sync"])  # fmt: skip

    def _cmd(self, cmd: list[str]) -> list[str]:
        return ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--init-groups", *cmd] if self.user else cmd

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(self._cmd(cmd), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - kept open for the server's life
        self.proc = subprocess.Popen(self._cmd([
            str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
            "-k", str(self.root), "-c", "fsync=off", "-c", "max_connections=60",
        ]), stdout=log, stderr=log)  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                time.sleep(0.2)  # accepting: give it a moment to finish starting
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres did not start: {(self.root / 'server.log').read_text()[-800:]}")
            time.sleep(0.1)
        raise RuntimeError("postgres did not start within 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: clients are cut off, as in a crash or restart
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self, dbname: str = "postgres", port: int | None = None) -> str:
        return f"postgresql://hinge@127.0.0.1:{port or self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class CuttingProxy:
    """127.0.0.1:port -> the server. `cut_on(b"...")`: when a client sends bytes containing the
    marker, they are passed on and then every connection is dropped at once (a cable pulled
    mid-transaction); new connections are refused until `heal()`."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.marker: bytes | None = None
        self.drop_reply = False  # after the marker, drop what the server answers (the commit's ack is lost)
        self.cuts = 0
        self.down = False
        self.muted = False  # the server's answers are dropped (set just before a cut that loses the ack)
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_on(self, marker: bytes, drop_reply: bool = False) -> None:
        self.marker, self.drop_reply = marker, drop_reply

    def heal(self) -> None:
        self.down = self.muted = False

    def _cut(self) -> None:
        with self._lock:
            self.down = True
            self.cuts += 1
            self.marker = None
            for s in self._socks:
                # shutdown, not only close: close() leaves a socket another thread is reading from open
                # (no FIN, no RST), and the database would wait on a client that is gone.
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()
            self._socks.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target))
            with self._lock:
                self._socks += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                marker = self.marker
                if from_client and marker is not None and marker in data:
                    if self.drop_reply:
                        self.muted = True
                        dst.sendall(data)
                        time.sleep(0.3)  # the server acts on it (commits); its answer never arrives
                    else:
                        dst.sendall(data)
                    self._cut()
                    return
                if not from_client and self.muted:
                    continue
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()
        self._cut()
