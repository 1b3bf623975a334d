"""Every page of the project as a URL, ids filled in from the database: for the CSRF, GET, header, XSS and
admin scoping tests. The one place that turns the URL patterns (urlwalk) into pages."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

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


def admin_urls(*, every_row: bool = False, views: set[str] | None = None) -> list[str]:
    """Every admin URL pattern (walked from the resolver, so that a new admin view cannot hide), ids filled
    in from the rows in the database: each model's first row, or all of them with `every_row`. `views` keeps
    only those views ("changelist", "change", "history", ...). A URL this cannot fill fails the test."""
    models = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    models.setdefault("auth_user", get_user_model())  # Django names the password form "auth_user_password_change"
    urls = []
    for route in all_routes():
        if not route.is_admin or route.name is None:
            continue  # the catch-all and the "<id>/" redirects to the change page
        name = route.name.removeprefix("admin:")
        prefix = max((p for p in models if name.startswith(f"{p}_")), key=len, default=None)
        view = name.removeprefix(f"{prefix}_") if prefix else name
        if views is not None and view not in views:
            continue
        model = models.get(prefix)
        if not route.params:
            urls.append(reverse(route.name))
        elif name == "app_list":
            labels = sorted({m._meta.app_label for m in admin.site._registry})
            urls += [reverse(route.name, args=[label]) for label in labels]
        elif name == "view_on_site":
            for model in admin.site._registry:
                row = model._default_manager.order_by("pk").first()
                if hasattr(model, "get_absolute_url") and row is not None:
                    urls.append(reverse(route.name, args=[ContentType.objects.get_for_model(model).pk, row.pk]))
        elif model is not None and view == "simple_history":
            versions = model.history.order_by("history_id").values_list("id", "history_id")
            urls += [reverse(route.name, args=list(v)) for v in (versions if every_row else versions[:1])]
        elif model is not None and len(route.params) == 1:  # change, history, delete, the password form
            pks = model._default_manager.order_by("pk").values_list("pk", flat=True)
            urls += [reverse(route.name, args=[pk]) for pk in (pks if every_row else pks[:1])]
        else:
            raise AssertionError(f"admin URL {route.route!r} ({route.name}): say here how to fill {route.params}")
    return sorted(set(urls))
