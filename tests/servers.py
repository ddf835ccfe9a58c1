"""Private PostgreSQL and Redis servers for fault tests, which freeze them (SIGSTOP) at will.

The shared servers are never touched: each server here runs from a temporary folder on a
port of its own and is always resumed and stopped when the test ends. Without the server
binaries the test is skipped, or failed under CI (``make browser`` installs them).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from .conftest import unavailable

POSTGRES_PORTS = range(5441, 5450)
REDIS_PORTS = range(6391, 6400)


def free_port(candidates: range) -> int:
    """The first port of ``candidates`` nobody listens on, else any free port."""
    for port in [*candidates, 0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; the Debian package makes a "postgres" user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        unavailable("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin; apt-get install postgresql)")
    return Path(found[-1]).parent


def _processes(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    seen, queue = [], [pid]
    while queue:
        current = queue.pop()
        seen.append(current)
        with suppress(OSError):
            queue += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return seen


class Frozen:
    """Stops a server's processes (SIGSTOP) until resumed; resuming twice is harmless."""

    def __init__(self, pid: int):
        # The server itself first, so it forks no new child meanwhile; then its children. A
        # child may end between being listed and being stopped (a backend whose client has
        # just closed): that one is gone, not running, so it needs no stopping.
        os.kill(pid, signal.SIGSTOP)
        self.pids = [pid]
        for each in _processes(pid)[1:]:
            with suppress(ProcessLookupError):
                os.kill(each, signal.SIGSTOP)
                self.pids.append(each)

    def resume(self) -> None:
        for each in self.pids:
            with suppress(ProcessLookupError):
                os.kill(each, signal.SIGCONT)


def _resume(pid: int) -> None:
    for each in _processes(pid):
        with suppress(ProcessLookupError):
            os.kill(each, signal.SIGCONT)


@contextmanager
def frozen(pid: int):
    freeze = Frozen(pid)
    try:
        yield freeze
    finally:
        freeze.resume()


class PrivatePostgres:
    def __init__(self, folder: Path, port: int, binaries: Path):
        self.folder, self.port, self.binaries = folder, port, binaries
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    @property
    def pid(self) -> int:
        return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])


@contextmanager
def private_postgres():
    """A PostgreSQL cluster of its own on 127.0.0.1 (trust), stopped and deleted afterwards."""
    binaries = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="csd-pg-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = free_port(POSTGRES_PORTS)
    server = PrivatePostgres(folder, port, binaries)
    run = dict(check=True, capture_output=True, timeout=60)
    try:
        subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                     "--no-sync"]), **run)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                     str(folder / "log"), "-w", "-t", "60", "start"]), **run)
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            _resume(server.pid)  # never leave it frozen
            subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                                         "-t", "30", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_redis():
    """A Redis server of its own on 127.0.0.1 (no persistence); yields (url, pid)."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server not installed (apt-get install redis-server)")
    port = free_port(REDIS_PORTS)
    folder = tempfile.mkdtemp(prefix="csd-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--daemonize", "no", "--dir", folder],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", process.pid
    finally:
        _resume(process.pid)
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
