import shutil

import pytest

from conftest import service_missing
from testing.processes import reset_celery_pools
from testing.servers import RedisServer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, on a free port: killed and restarted at will."""
    if not shutil.which("redis-server"):
        service_missing("redis-server (apt-get install redis-server)")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def broker_at(monkeypatch, private_redis):
    """Tasks are really published, to the private Redis (as `broker_down` does with a dead port)."""
    from interac_portal.celery import app

    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", private_redis.url)
    # The socket timeouts settings.py gives a redis:// broker (the suite may run with another broker).
    options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    reset_celery_pools()
    app.conf.task_always_eager = False
    yield private_redis
    app.conf.task_always_eager = True
    app.conf.broker_transport_options = options
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
    reset_celery_pools()
