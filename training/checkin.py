"""Checking in at the door: the session's QR code, the address it encodes, and who may check in when.

The trainer shows the QR code (an SVG drawn on the server by segno, no
JavaScript); the ALT scans it with their own phone and lands on a page with
one button. The address carries a token derived from the session (an HMAC
with the secret key), so that knowing a session's number is not enough to
check in from home.
"""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.formats import format_datetime, format_time

from .models import Registration, TrainingSession

Status = Registration.Status


def checkin_token(session: TrainingSession) -> str:
    return salted_hmac("training.checkin", str(session.pk)).hexdigest()[:32]


def checkin_token_valid(session: TrainingSession, token: str) -> bool:
    return constant_time_compare(checkin_token(session), token)


def checkin_url(session: TrainingSession) -> str:
    """The absolute address in the QR code: the public site, never the request's Host header."""
    return settings.SITE_URL + reverse("training:check_in", args=[session.pk, checkin_token(session)])


def checkin_qr_svg(url: str, *, title: str) -> str:
    """The QR code of `url` as inline SVG that scales with its container (dark on white, for any theme)."""
    return segno.make(url, error="m").svg_inline(
        omitsize=True, border=4, dark="#000", light="#fff", title=title, svgclass="checkin-qr"
    )


def checkin_problem(*, session: TrainingSession, registration: Registration | None, now=None) -> str | None:
    """Why this ALT cannot check in now, for them to read; None when they can (or already have)."""
    now = now or timezone.now()
    if session.is_cancelled:
        return _("This session has been cancelled.")
    if registration is None:
        return _("You are not registered for this session, so you cannot check in. Please speak to the trainer.")
    if registration.status == Status.WAITLISTED:
        return _("You are on the waiting list for this session, not registered. Please speak to the trainer.")
    if registration.status == Status.EXCUSED:
        return _(
            "You told us you cannot attend, so your place was given up. "
            "Please speak to the trainer, who can mark you present."
        )
    if registration.status == Status.ATTENDED:
        return None
    if now < session.checkin_opens:
        opens = timezone.localtime(session.checkin_opens)
        when = format_time(opens) if opens.date() == timezone.localdate(now) else format_datetime(opens)
        return _("Check-in opens 30 minutes before the start, at %(time)s (Japan time).") % {"time": when}
    if now >= session.end:
        return _("This session has ended, so check-in is closed. Please speak to the trainer.")
    return None
