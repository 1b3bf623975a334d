"""Instruments for `make bench`, installed only with PORTAL_BENCH=1 (never in production)."""

from django.db import connections


class QueryCountHeaderMiddleware:
    """Answers every request with `X-Queries`: the SQL statements it took, session and user included.

    Installed first, so it sees the whole stack (the session save at the end too).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
