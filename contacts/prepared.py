"""A `get(pk=...)` whose SQL is built once per process.

Building the SQL of a query with joins is most of its cost in Python: the
logged-in user with an ALT's profile, branch and contacts (four joins) took
about 5,000 function calls a request to build and a few hundred to run. Here
Django's compiler builds it once, with a stand-in for the key; every call runs
the same SQL with the real key and turns the row into model instances the way
a queryset does (`ModelIterable`), related objects included.

On PostgreSQL the statement is also prepared on the server, once per
connection: planning the four joins took 0.5 ms, three times running them.
(Django leaves server-side prepared statements off for connection poolers in
transaction mode, which lose them between transactions; set
PREPARED_STATEMENTS=false behind one.)
"""

from django.conf import settings
from django.db import connections, router
from django.db.models.query import get_related_populators

# Stands in for the key while the SQL is built; no row has it.
_STAND_IN = -7_364_019_281


class PreparedGet:
    def __init__(self, make_queryset):
        # A callable, so that the models need not be ready at import time.
        self._make_queryset = make_queryset
        self._prepared = {}
        self._model = None

    def _prepare(self, alias, connection):
        queryset = self._make_queryset().filter(pk=_STAND_IN)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [_STAND_IN]:
            raise ValueError(f"PreparedGet expects the key as its only parameter, got {params!r}")
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        prepared = {
            "sql": sql,
            "model": klass_info["model"],
            "init_list": [column[0].target.attname for column in select[first:last]],
            "slice": slice(first, last),
            "populators": get_related_populators(klass_info, select, alias),
            "converters": list(compiler.get_converters([column[0] for column in select]).items()),
        }
        self._prepared[(alias, connection.vendor)] = prepared
        return prepared

    def _cursor(self, connection):
        if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
            return connection.cursor()
        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns preparing off for the connection; only cursors that bind on
            # the server (this one, none of Django's) ever prepare.
            raw.prepare_threshold = 0
        # Django's own cursor plumbing (query log, execute wrappers) around a cursor that prepares.
        return connection._prepare_cursor(_preparing_cursor_class()(raw))

    def get(self, pk):
        """The instance with this key, or None."""
        model = self._model or self._make_queryset().model
        self._model = model
        alias = router.db_for_read(model)
        connection = connections[alias]
        prepared = self._prepared.get((alias, connection.vendor)) or self._prepare(alias, connection)
        with self._cursor(connection) as cursor:
            cursor.execute(prepared["sql"], [model._meta.pk.to_python(pk)])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (converters, expression) in prepared["converters"]:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        instance = prepared["model"].from_db(alias, prepared["init_list"], row[prepared["slice"]])
        for populator in prepared["populators"]:
            populator.populate(row, instance)
        return instance


_PreparingCursor = None


def _preparing_cursor_class():
    # Imported on first use: the module exists only where psycopg is installed.
    global _PreparingCursor
    if _PreparingCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            """Binds on the server and prepares the statement (psycopg keeps it per connection)."""

            def execute(self, query, params=None, **kwargs):
                return super().execute(query, params, prepare=True, **kwargs)

            def _send_query_prepared(self, name, pgq, **kwargs):
                # psycopg records the query it sent only when it was not prepared; Django's
                # query log (tests, debug) reads that record.
                self._query = pgq
                return super()._send_query_prepared(name, pgq, **kwargs)

        _PreparingCursor = PreparingCursor
    return _PreparingCursor
