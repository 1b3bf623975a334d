"""The error pages: in the visitor's language, with a way home, and none of them touching the database.

Django's own are one English line. These render without the request's context
processors (no session, no user, no query), so that the page a database
outage produces is the friendly one too: a 503 asking to try again in a
minute, instead of a 500, when the database cannot be reached.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

# Seconds a client (or a proxy) is asked to wait before trying again after an outage.
RETRY_AFTER = 30


def _page(template: str, status: int) -> HttpResponse:
    context = {"WELLBEING_LINE": settings.WELLBEING_LINE, "status": status}
    return HttpResponse(render_to_string(f"errors/{template}", context), status=status)


def bad_request(request, exception=None):
    return _page("400.html", 400)


def permission_denied(request, exception=None):
    return _page("403.html", 403)


def page_not_found(request, exception=None):
    return _page("404.html", 404)


def too_many_requests(request, exception=None):
    # allauth's rate limits (password reset emails, ...) answer through this handler (ROOT_URLCONF.handler429).
    response = _page("429.html", 429)
    response["Retry-After"] = "60"
    return response


def server_error(request):
    # Called while Django handles the exception: it is still the one being handled.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = _page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return _page("500.html", 500)


def csrf_failure(request, reason=""):
    # Mostly a form left open across a login or a logout: say so, rather than Django's technical page.
    return _page("403_csrf.html", 403)
