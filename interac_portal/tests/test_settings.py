"""Start-up behaviour of the one settings module, checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def _run(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_TASK", "STATIC_MANIFEST", "CACHE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = _run("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="portal.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start():
    result = _run("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is required" in result.stderr


def test_deploy_check_is_clean_with_production_variables():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "k3y" * 12,
        DJANGO_ALLOWED_HOSTS="portal.example.com",
        CACHE_URL="rediscache://127.0.0.1:6379/9",  # the check reads the setting; it connects to nothing
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_login_limits_would_live_in_each_process():
    environment = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k3y" * 12,
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    }
    result = _run("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode != 0
    assert "core.W001" in result.stderr and "CACHE_URL" in result.stderr
    # Not a deploy check: `make lint` (plain `check`) on a developer's machine stays quiet.
    assert _run("check", "--fail-level", "WARNING", **environment).returncode == 0


def test_a_closed_day_not_written_as_month_day_refuses_to_start():
    result = _run("check", DJANGO_DEBUG="true", OFFICE_CLOSED_DAYS="12-29, 12/30")
    assert result.returncode != 0
    assert "OFFICE_CLOSED_DAYS: '12/30' is not a day as MM-DD." in result.stderr
    show = "from django.conf import settings; print(sorted(settings.OFFICE_CLOSED_DAYS))"
    result = _run("shell", "-c", show, DJANGO_DEBUG="true", OFFICE_CLOSED_DAYS="12-29, 8-13 ,02-29")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['02-29', '08-13', '12-29']"  # as due times compare them


def test_seed_demo_refuses_to_run_with_debug_off():
    result = _run(
        "seed_demo",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode != 0
    assert "--force" in result.stderr


def test_pages_carry_security_headers(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_with_personal_data_are_not_stored(client_for, alt_tokyo):
    response = client_for(alt_tokyo).get("/contacts/")
    assert "no-store" in response["Cache-Control"]


def test_celery_workers_keep_the_log_scrubbing():
    """A worker sets up logging through Celery: the handlers must still scrub phone numbers and emails."""
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    from core.logging import ScrubPersonalData
    from interac_portal.celery import app

    try:
        app.log.already_setup = False
        app.log.setup(loglevel="INFO")  # what `celery worker` and `celery beat` call
        handlers = logging.getLogger().handlers
        assert handlers
        assert all(any(isinstance(f, ScrubPersonalData) for f in handler.filters) for handler in handlers)
    finally:
        app.log.already_setup = False
        dictConfig(settings.LOGGING)


def test_make_run_links_emails_to_the_port_it_serves_on():
    """`make run WEB_PORT=8080`: the web server listens there and SITE_URL (links in emails) follows."""
    dry = subprocess.run(
        ["make", "-n", "run", "WEB_PORT=8080"], capture_output=True, text=True, env={**os.environ, "SITE_URL": ""}
    )
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8080}" in dry.stdout, dry.stdout
    assert "runserver 127.0.0.1:${WEB_PORT:-8000}" in (Path(__file__).resolve().parents[2] / "Procfile").read_text()
