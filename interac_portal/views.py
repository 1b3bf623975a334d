"""The dashboard (every app for an ALT, the worklist for staff) and the health check. The only place above the apps."""

import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contacts import people_cache
from contacts import selectors as contacts_selectors
from onboarding.selectors import onboarding_dashboard_card
from safety.selectors import safety_dashboard_card
from support.nav import new_replies_counted
from support.selectors import support_dashboard_card
from training.selectors import training_dashboard_card

from . import services, worklist
from .celery import app as celery_app
from .selectors import checklist_help_dashboard_card

logger = logging.getLogger(__name__)

# Each feature app contributes one card: a Jinja2 template whose macro `card(context, csrf_input)`
# draws it, and a selector that returns its context, or None when there is nothing to show.
# A safety check waiting for an answer comes first, across the whole width.
DASHBOARD_CARDS = [
    ("interac_portal/_checklist_help_card.jinja", checklist_help_dashboard_card),
    ("safety/_dashboard_card.jinja", safety_dashboard_card),
    ("onboarding/_dashboard_card.jinja", onboarding_dashboard_card),
    ("training/_dashboard_card.jinja", training_dashboard_card),
    ("support/_dashboard_card.jinja", support_dashboard_card),
]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = contacts_selectors.alt_profile_for_user(user=request.user)
    if profile is None:
        # Staff land on their worklist; anyone else (no profile, no role) is told whom to ask.
        sections = worklist.worklist_sections(user=request.user) if request.user.is_staff else []
        return render(request, "interac_portal/worklist.html", {"sections": sections})

    def build_context():
        cards = []
        for template, selector in DASHBOARD_CARDS:
            context = selector(profile=profile)
            if context is not None:
                cards.append({"template": template, "context": context})
            if selector is support_dashboard_card:
                # The support card counted the requests with a new reply: the navigation shows that number.
                new_replies_counted(request, context["new_reply_count"])
        team = contacts_selectors.support_team_summary_for_alt(profile=profile)
        return {"profile": profile, "team": team, "cards": cards}

    # The cards, kept while nothing they show changed (core.versions); the sessions' places left are "training".
    return people_cache.render_alt_page(request, "dashboard.jinja", "dashboard", build_context, names=("training",))


@never_cache
@require_GET
def worklist_nav(request: HttpRequest) -> HttpResponse:
    """The worklist's counts for the admin's navigation: a fragment each admin page fetches once it has loaded
    (htmx), so that the admin's lists do not wait for them. Staff only; 404 for anyone else, signed in or not
    (a login page is no fragment)."""
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        raise Http404("Not staff")
    lines = worklist.worklist_nav_lines(user=request.user)
    return render(request, "interac_portal/_worklist_nav.html", {"lines": lines})


@login_required
@require_POST
def checklist_help(request: HttpRequest, kind: str) -> HttpResponse:
    """ "Ask for help" on a step of the arrival checklist: the support form, with category and subject filled in."""
    contacts_selectors.alt_profile_get_for_user(user=request.user)
    try:
        url = services.checklist_help_ask(alt=request.user, kind=kind)
    except services.ChecklistHelpRefused:
        raise Http404("No such checklist step") from None
    return redirect(url)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.warning("health check: database unavailable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.1, timeout=2)
        return True
    except Exception:
        logger.warning("health check: broker unavailable")
        return False


def _is_staff(request: HttpRequest) -> bool:
    try:  # the session and the user come from the database, which may be the one failing
        return request.user.is_authenticated and request.user.is_staff
    except DatabaseError:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """ "ok" (200) or "failing" (503) for anyone (a load balancer, a monitor); which service fails, for staff only."""
    state = {"database": "ok" if _database_ok() else "down", "broker": "ok" if _broker_ok() else "down"}
    healthy = all(value == "ok" for value in state.values())
    body = {"status": "ok" if healthy else "failing"}
    if _is_staff(request):
        body.update(state)
    return JsonResponse(body, status=200 if healthy else 503)


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def baseline(request: HttpRequest) -> HttpResponse:
    """A bare Django view: the yardstick of `make bench`."""
    return HttpResponse(b"ok", content_type="text/plain")
