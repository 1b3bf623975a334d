"""`make backup` then `make restore` into a new database finds every row, value for value."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _tables(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a fingerprint of its contents (every row as text, in order)."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            t: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::text, '\n' ORDER BY r::text), '')) FROM \"{t}\" r"
            ).fetchone()
            for t in tables
        }


def test_backup_restores_into_a_new_database_with_every_row(postgres, tmp_path):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        from conftest import service_missing

        service_missing("pg_dump and pg_restore (PostgreSQL client)")
    settings.DEBUG = True
    try:
        call_command("seed_demo")
    finally:
        settings.DEBUG = False
    source = _url(connection.settings_dict["NAME"])
    before = _tables(source)
    assert before["contacts_user"][0] >= 13

    env = {**os.environ, "DATABASE_URL": source}
    backup = subprocess.run(
        ["make", "-s", "backup", f"BACKUP_DIR={tmp_path}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]

    target_name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        conn.execute(f'CREATE DATABASE "{target_name}"')
    try:
        restore = subprocess.run(
            ["make", "-s", "restore", f"FILE={dump}", f"TARGET_DATABASE_URL={_url(target_name)}"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        assert restore.returncode == 0, restore.stderr
        assert _tables(_url(target_name)) == before  # every table, every row, every value
    finally:
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
