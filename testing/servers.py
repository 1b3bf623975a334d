"""Real processes for the fault tests and `make faults`: a child process group with its log, a
private redis-server and a private PostgreSQL cluster on free ports.

Each process starts in its own session (so that its children die with it), writes its output
to a file, and is stopped by its own pid only. Nothing here imports Django: the fault run
(bench/faults.py) is a plain script, and the reliability tests use the same helpers.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _postgres_bin() -> Path:
    """Debian's PostgreSQL binaries (not on PATH): the newest installed, or POSTGRES_BIN."""
    if os.environ.get("POSTGRES_BIN"):
        return Path(os.environ["POSTGRES_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return versions[-1] if versions else Path("/usr/lib/postgresql/15/bin")


POSTGRES_BIN = _postgres_bin()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # not up yet
            pass
        time.sleep(interval)
    return False


class Process:
    """A child process group with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path, cwd: Path = ROOT, user: str = ""):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user or None,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Signal the whole group (gunicorn's or celery's children too)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then wait for the whole group (workers' children hold database connections)."""
        self.kill(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.popen.wait(timeout=10)
        if not wait_for(lambda: not self._group_alive(), timeout=10):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self._log.close()


class RedisServer:
    """A private redis-server on a free port: stopped and started at will, never the shared one."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path / f"redis-{self.port}"
        self.dir.mkdir()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.dir)]
        self.process = Process(f"redis-{self.port}", args, dict(os.environ), self.dir)
        assert wait_for(self.ping, timeout=10), self.process.output()
        return self

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def freeze(self) -> None:
        """Still accepting connections, never answering: a frozen process, or a network partition."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """Down hard, as when the machine goes away."""
        self.process.kill(signal.SIGKILL)
        self.process.popen.wait(timeout=10)
        self.process._log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.alive():
            self.process.stop()


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb, pg_ctl) on a free port, removed at the end.

    It is restarted at will without disturbing anyone's database. PostgreSQL refuses to run as
    root: as root, the cluster belongs to the `postgres` user. Trust authentication, on
    127.0.0.1 only. fsync is off: the data is thrown away, and the shared disk is spared.
    """

    def __init__(self, tmp_path: Path, user: str = "portal"):
        self.port = free_port()
        self.user = user
        self.dir = tmp_path / f"postgres-{self.port}"
        self.data = self.dir / "data"
        self.os_user = "postgres" if os.geteuid() == 0 else ""

    @property
    def url(self) -> str:
        return self.url_for("portal")

    def url_for(self, database: str) -> str:
        return f"postgres://{self.user}:{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(POSTGRES_BIN / args[0]), *args[1:]], check=True, capture_output=True, user=self.os_user or None
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "postgres.log"), "-o", options, "-w", *args)

    def start(self) -> "PostgresCluster":
        self.dir.mkdir(parents=True)
        if self.os_user:
            entry = pwd.getpwnam(self.os_user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            for parent in self.dir.parents:  # the cluster's owner must reach its directory
                if parent.stat().st_mode & 0o001 == 0 and parent != Path("/"):
                    os.chmod(parent, parent.stat().st_mode | 0o011)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        self._pg_ctl("start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "portal")
        return self

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection is cut, as when the server is restarted."""
        self._pg_ctl("restart", "-m", "fast")

    def ping(self) -> bool:
        result = subprocess.run(
            [str(POSTGRES_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
        )
        return result.returncode == 0

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def supervised_command(program: str, var_dir: Path) -> list[str]:
    """The command supervisord.conf runs for `program` (what `make prod` and production run)."""
    import configparser
    import shlex

    config = configparser.RawConfigParser()
    config.read(ROOT / "supervisord.conf")
    command = config.get(f"program:{program}", "command")
    command = command.replace("%(ENV_PORTAL_VAR_DIR)s", str(var_dir)).replace("%%", "%")
    return shlex.split(command)
