"""A test-only URLconf: a view that fails with personal data in its locals, form and query string."""

from django.urls import path


def boom(request):
    details = request.POST.get("details", "")  # a local variable holding what the ALT wrote
    phone = request.GET.get("phone", "")
    raise RuntimeError(f"something broke ({len(details)} characters, {bool(phone)})")


urlpatterns = [path("boom/", boom)]
