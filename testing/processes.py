"""Real processes for the fault tests: gunicorn, Celery workers and beat against the test database.

The process helpers and the private servers are in testing/servers.py (the fault run uses
them too); these add the test database and settings.
"""

import os
import re
import sys
from pathlib import Path

from django.db import connection

from testing.servers import Process, free_port, wait_for

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


def reset_celery_pools() -> None:
    """Forget pooled broker connections so that the next publish connects to the current URL."""
    from kombu import pools

    from contacts.outbox import broker_breaker
    from interac_portal.celery import app

    broker_breaker.reset()
    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
