"""PostgreSQL drops this process's connection (as when it restarts) at a chosen moment."""

import psycopg
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection


def drop_database_connection() -> None:
    """End this connection's server process from another connection: its next query fails."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


class DroppingBackend(EmailBackend):
    """An SMTP server that accepts the message, while PostgreSQL drops the worker's connection."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        drop_database_connection()
        return sent
