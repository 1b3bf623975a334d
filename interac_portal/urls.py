from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from django.views.generic import RedirectView

from contacts.scoping import admin_view_on_site

from . import views

admin.autodiscover()
_allauth_admin_login = secure_admin_login(admin.site.login)


def _admin_login(request, *args, **kwargs):
    # The admin signs in through the same allauth login (and its rate limits).
    # A signed-in ALT is not told the admin exists: 404, as for any page they may not see.
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise Http404("Not found")
    return _allauth_admin_login(request, *args, **kwargs)


admin.site.login = _admin_login

handler400 = "interac_portal.errors.bad_request"
handler403 = "interac_portal.errors.permission_denied"
handler404 = "interac_portal.errors.page_not_found"
handler500 = "interac_portal.errors.server_error"
handler429 = "interac_portal.errors.too_many_requests"  # allauth's rate limits

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz/", views.healthz, name="healthz"),
    path("worklist/nav/", views.worklist_nav, name="worklist_nav"),
    path("help/checklist/<str:kind>/", views.checklist_help, name="checklist_help"),
    path("favicon.ico", views.favicon),
    path("accounts/signup/", RedirectView.as_view(pattern_name="account_login", permanent=False)),
    # Staff manage accounts: nobody adds or swaps a login address without verification.
    path("accounts/email/", RedirectView.as_view(pattern_name="dashboard", permanent=False)),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own: "view on site" only for rows the user may see there.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(admin_view_on_site)),
    path("admin/", admin.site.urls),
    path("contacts/", include("contacts.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("training/", include("training.urls")),
    path("support/", include("support.urls")),
    path("safety/", include("safety.urls")),
]

if settings.BENCH_BASELINE:
    # `make bench` compares every page with this constant view in the same run.
    urlpatterns.append(path("bench/baseline/", views.baseline, name="bench_baseline"))
