"""Every page of the project as a URL, ids filled in from the world: for the CSRF, GET and header tests."""

import contextlib

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from .test_object_access import ELSEWHERE, TABLE
from .urlwalk import all_routes


def site_urls(world) -> list[str]:
    """Every URL pattern outside the admin; ids and tokens from the object-access table's first case."""
    urls = []
    for route in all_routes():
        if route.is_admin:
            continue
        if not route.params:
            urls.append(reverse(route.name) if route.name else "/" + route.route)
        elif route.name in TABLE:
            urls.append(reverse(route.name, kwargs=TABLE[route.name][0].kwargs(world)))
        elif route.name == "account_reset_password_from_key":
            urls.append(reverse(route.name, kwargs={"uidb36": "1", "key": "made-up-key"}))
        else:
            assert route.name in ELSEWHERE, route
    return sorted(set(urls))


def admin_urls() -> list[str]:
    """The admin's pages: index, each app, and each registered model's list, add, change, history and delete."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"{prefix}_{view}", args=[row.pk]))
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"{prefix}_export"))
    return sorted(set(urls))
