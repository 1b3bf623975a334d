"""Real processes for the fault tests: gunicorn, Celery workers and beat, a private redis-server.

Each starts in its own session (so that its children die with it), writes its
output to a file in the test's tmp_path, and is stopped by its own pid only.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

PYTHON = sys.executable
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SECRET = "reliability-test-" + "k3y" * 16


def sent_mails(mail_dir: Path) -> list[str]:
    """Every message the file email backend wrote (several per file when sent over one connection)."""
    separator = "\n" + "-" * 79 + "\n"
    messages = []
    for path in sorted(mail_dir.iterdir()):
        messages += [m for m in path.read_text().split(separator) if m.strip()]
    return messages


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


def current_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def portal_env(tmp_path: Path, **overrides) -> dict:
    """The environment of a production process (debug off) against the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STATIC_MANIFEST": "false",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "DJANGO_PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    (tmp_path / "mail").mkdir(exist_ok=True)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Process:
    """A child process group with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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


def start_gunicorn(tmp_path: Path, *, name="web", workers=2, **env_overrides) -> tuple[Process, str]:
    """gunicorn as in production (gunicorn.conf.py), on 127.0.0.1; returns (process, base URL)."""
    import requests

    port = free_port()
    env = portal_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=workers, **env_overrides)
    process = Process(name, [PYTHON, "-m", "gunicorn", "interac_portal.wsgi"], env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    if not wait_for(lambda: requests.get(f"{base}/contacts/wellbeing/", timeout=2).status_code == 200, timeout=60):
        process.stop()
        raise AssertionError(f"{name} did not start:\n{process.output()[-3000:]}")
    return process, base


def start_worker(tmp_path: Path, *, name="worker", concurrency=1, pool="solo", **env_overrides) -> Process:
    env = portal_env(tmp_path, **env_overrides)
    args = [PYTHON, "-m", "celery", "-A", "interac_portal", "worker", "--loglevel", "INFO", "-n", f"{name}@%h"]
    args += ["--pool", pool, "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
    process = Process(name, args, env, tmp_path)
    if not wait_for(lambda: "ready." in process.output() or not process.alive(), timeout=60):
        process.stop()
        raise AssertionError(f"{name} did not start:\n{process.output()[-3000:]}")
    assert process.alive(), process.output()[-3000:]
    return process


def wait_for_task(worker: Process, result, timeout: float = 30.0) -> str:
    """Until `worker` has run the task `result` (an AsyncResult from .delay()); returns what it returned.

    CELERY_TASK_IGNORE_RESULT: there is no result backend, the worker's log (INFO) is the witness.
    """
    pattern = re.compile(rf"\[{re.escape(result.id)}\] (succeeded in \S+: (.*)|raised .*|retry: .*)$", re.M)
    if not wait_for(lambda: pattern.search(worker.output()), timeout=timeout):
        raise AssertionError(f"{worker.name} did not run task {result.id} in {timeout}s:\n{worker.output()[-3000:]}")
    match = pattern.search(worker.output())
    if match.group(2) is None:
        raise AssertionError(f"task {result.id} did not succeed: {match.group(1)}")
    return match.group(2)


def broker_idle(redis_url: str, workers: list[Process]) -> bool:
    """Nothing left to run: the queue is empty, no message is held unacknowledged (every task acks
    late, so a task being run holds its message), and every task a worker received has finished."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        if client.llen("celery") or client.hlen("unacked"):
            return False
    finally:
        client.close()
    for worker in workers:
        log = worker.output()  # "Task name[id] received", then "... succeeded in", "raised", "retry:"...
        received = len(re.findall(rf"\[{UUID}\] received$", log, re.M))
        if received != len(re.findall(rf"\[{UUID}\] (?!received$)", log, re.M)):
            return False
    return True


class RedisServer:
    """A private redis-server on a free port: the tests stop and start it, never the shared one."""

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


def reset_celery_pools() -> None:
    """Forget pooled broker connections so that the next publish connects to the current URL."""
    from kombu import pools

    from contacts.services import broker_breaker
    from interac_portal.celery import app

    broker_breaker.reset()
    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
