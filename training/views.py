from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.people_cache import render_alt_page
from contacts.selectors import alt_profile_get_for_user
from core.formats import format_time

from . import selectors, services
from .calendar import build_calendar, extra_entries
from .checkin import checkin_problem, checkin_qr_svg, checkin_url
from .forms import AttendanceForm, WithdrawForm
from .models import Registration
from .services import TrainingError


def _session_anchor(pk: int) -> str:
    return reverse("training:index") + f"#session-{pk}"


def _render_index(request: HttpRequest, profile, *, status: int = 200, error: str = "", failed=None):
    """The ALT's training page; `failed` is (session id, WithdrawForm) to show again with its errors
    (the other sessions' reason fields are empty: plain markup, no form each)."""

    def build_context():
        overview = selectors.training_overview_for_alt(profile=profile)
        feed = selectors.calendar_feed_for_alt(alt=request.user)
        # The public address, never the request's Host header: the link goes into calendar apps.
        feed_url = f"{settings.SITE_URL}{reverse('training:calendar_feed', args=[feed.token])}" if feed else ""
        return {
            "profile": profile,
            "overview": overview,
            "error": error,
            "failed_session_id": failed[0] if failed else None,
            "failed_form": failed[1] if failed else None,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed else "",
        }

    # Kept while nothing it shows changed, but for a page showing an error or a form's answers.
    keep = not error and failed is None
    return render_alt_page(
        request, "training/index.jinja", "training", build_context, names=("training",), keep=keep, status=status
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    return _render_index(request, profile)


@login_required
@require_GET
def past(request: HttpRequest) -> HttpResponse:
    """Every past session of the last 12 months: /training/ shows the most recent few."""
    profile = alt_profile_get_for_user(user=request.user)
    return render(request, "training/past.jinja", {"past": selectors.training_past_for_alt(profile=profile)})


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    # Only the session id comes from the form: the ALT is always the one logged in.
    session = selectors.session_get_for_alt(profile=profile, pk=pk)
    try:
        registration = services.registration_create(profile=profile, session_id=session.pk)
    except TrainingError as exc:
        return _render_index(request, profile, status=422, error=str(exc))
    if registration.status == Registration.Status.WAITLISTED:
        messages.info(
            request,
            _(
                "The session is full: you are number %(position)s on the waiting list. "
                "We will email you if a place frees."
            )
            % {"position": registration.waitlist_position},
        )
    else:
        messages.success(request, _("You are registered for %(title)s.") % {"title": session.display_title})
    return redirect(_session_anchor(pk))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    session = selectors.session_get_for_alt(profile=profile, pk=pk)
    form = WithdrawForm(request.POST, auto_id=f"id_%s_{pk}")
    if not form.is_valid():
        return _render_index(request, profile, status=422, error=_("Please check the form."), failed=(pk, form))
    try:
        services.registration_withdraw(alt=request.user, session_id=session.pk, reason=form.cleaned_data["reason"])
    except TrainingError as exc:
        form.add_error("reason", str(exc))
        return _render_index(request, profile, status=422, error=str(exc), failed=(pk, form))
    messages.success(request, _("Your place at %(title)s has been given up.") % {"title": session.display_title})
    return redirect(_session_anchor(pk))


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    session = selectors.session_get_for_alt(profile=profile, pk=pk)
    try:
        services.registration_confirm(alt=request.user, session_id=session.pk)
    except TrainingError as exc:
        return _render_index(request, profile, status=422, error=str(exc))
    messages.success(request, _("Thank you: your trainer knows you will attend."))
    return redirect(_session_anchor(pk))


@login_required
@require_POST
def calendar_create(request: HttpRequest) -> HttpResponse:
    alt_profile_get_for_user(user=request.user)
    services.calendar_feed_create(alt=request.user)
    return redirect(reverse("training:index") + "#calendar")


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    alt_profile_get_for_user(user=request.user)
    services.calendar_feed_reset(alt=request.user)
    messages.success(request, _("Your calendar link has been reset. Subscribe again with the new link."))
    return redirect(reverse("training:index") + "#calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    # No login: calendar apps cannot log in. The secret token is the key, and resetting it retires it.
    alt = selectors.calendar_feed_alt(token=token)
    registrations = selectors.calendar_registrations(user=alt)
    with translation.override(alt.preferred_language):
        body = build_calendar(registrations=registrations, extra=extra_entries(alt=alt))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="training.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def session_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """One session as a calendar file, for an ALT who does not subscribe to the feed."""
    alt_profile_get_for_user(user=request.user)
    registration = selectors.calendar_registration_for_alt(user=request.user, pk=pk)
    with translation.override(request.user.preferred_language):
        body = build_calendar(registrations=[registration], subscription=False)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-session-{pk}.ics"'
    return response


# --- the ALT at the door: the QR code's page --------------------------------------------


def _check_in_page(request, session, *, status: int = 200, error: str = "") -> HttpResponse:
    registration = selectors.checkin_registration(alt=request.user, session=session)
    checked_in_at = registration.checked_in_at if registration else None
    context = {
        "session": session,
        "registration": registration,
        "checked_in_time": format_time(checked_in_at),
        "problem": error or checkin_problem(session=session, registration=registration),
    }
    return render(request, "training/check_in.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    # GET shows one big button (a link preview or a prefetch must not check anyone in); POST checks in.
    alt_profile_get_for_user(user=request.user)
    session = selectors.checkin_session_get(pk=pk, token=token)
    if request.method == "GET":
        return _check_in_page(request, session)
    try:
        services.registration_check_in(alt=request.user, session_id=session.pk)
    except TrainingError as exc:
        return _check_in_page(request, session, status=409, error=str(exc))
    return redirect("training:check_in", pk=session.pk, token=token)


# --- staff: the roll on a phone ---------------------------------------------------------


@login_required
@require_GET
def staff_sessions(request: HttpRequest) -> HttpResponse:
    sessions = selectors.staff_session_list(user=request.user)
    return render(request, "training/staff/sessions.html", {"sessions": sessions})


@login_required
@require_GET
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code trainers show at the door, full screen on a laptop or a phone."""
    session = selectors.staff_session_get(user=request.user, pk=pk)
    url = checkin_url(session)
    context = {
        "session": session,
        "checkin_url": url,
        "qr_svg": mark_safe(checkin_qr_svg(url, title=_("Check-in QR code"))),  # noqa: S308 - segno's SVG of our URL
        "counts": selectors.checkin_counts(session=session),
        "checkin_open": session.checkin_open(),
    }
    return render(request, "training/staff/checkin_qr.html", context)


def _mark_all_present(request: HttpRequest, session, registrations) -> HttpResponse:
    # Everyone holding a place and not marked yet: the trainer then changes those who are not there.
    marks = {r.pk: Registration.Status.ATTENDED for r in registrations if r.status == Registration.Status.REGISTERED}
    try:
        changed = services.attendance_record(session_id=session.pk, marks=marks, by=request.user)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(count)s marked present. Change anyone who is not here, then save.") % {"count": changed},
        )
    return redirect("training:attendance", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.staff_session_get(user=request.user, pk=pk)
    registrations = selectors.attendance_sheet(session=session)
    if request.method == "POST" and "all_present" in request.POST:
        return _mark_all_present(request, session, registrations)
    form = AttendanceForm(request.POST or None, registrations=registrations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = services.attendance_record(session_id=session.pk, marks=form.marks(), by=request.user)
            except TrainingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
                return redirect("training:attendance", pk=session.pk)
        status = 422
    context = {
        "session": session,
        "form": form,
        "attendance_open": session.attendance_open(),
        "started": session.has_started(),
        "any_to_mark": any(r.status == Registration.Status.REGISTERED for r in registrations),
    }
    return render(request, "training/staff/attendance.html", context, status=status)
