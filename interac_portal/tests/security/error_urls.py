"""A test-only URLconf: a view that fails with personal data in its locals, form and query string,
and one that finds the database unreachable; the project's error pages handle both."""

from django.db import OperationalError
from django.urls import path

from interac_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401 (Django looks them up here)
from interac_portal.urls import urlpatterns as site_urlpatterns


def boom(request):
    details = request.POST.get("details", "")  # a local variable holding what the ALT wrote
    phone = request.GET.get("phone", "")
    raise RuntimeError(f"something broke ({len(details)} characters, {bool(phone)})")


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


# The site's own too: the error pages link home and to the counselling line.
urlpatterns = [path("boom/", boom), path("database-down/", database_down), *site_urlpatterns]
