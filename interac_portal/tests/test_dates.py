"""One date format per language, wherever a person reads a date: the ALT pages, the admin, emails, the calendar.

English "Tue 8 Dec 2026, 14:00" (a day: "Tue 8 Dec 2026"), Japanese "2026年12月8日(火) 14:00"
("2026年12月8日(火)"), in Japan time. The second half keeps templates and code from writing a date
any other way (a format string of their own).
"""

import re
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from core.formats import format_date, format_datetime, format_span
from support.models import SupportRequest
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training import services as training_services
from training.models import CalendarFeed

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 12, 8, 14, 0, tzinfo=JST)  # a Tuesday
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)

EXPECTED = {
    "en": {"datetime": "Tue 8 Dec 2026, 14:00", "date": "Tue 8 Dec 2026", "span": "Tue 8 Dec 2026, 14:00–16:00"},
    "ja": {"datetime": "2026年12月8日(火) 14:00", "date": "2026年12月8日(火)", "span": "2026年12月8日(火) 14:00–16:00"},
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_shared_functions_write_the_one_format_in_japan_time(language):
    utc = START.astimezone(ZoneInfo("UTC"))  # stored in UTC: 05:00
    with translation.override(language):
        assert format_datetime(utc) == EXPECTED[language]["datetime"]
        assert format_date(utc) == EXPECTED[language]["date"]
        assert format_date(date(2026, 12, 8)) == EXPECTED[language]["date"]
        assert format_span(utc, utc + timedelta(hours=2)) == EXPECTED[language]["span"]
        assert format_datetime(None) == ""


@pytest.mark.parametrize("language", ["en", "ja"])
def test_date_inputs_keep_iso_dates(language):
    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = DayForm({"day": "2026-12-08"})
        assert form.is_valid() and form.cleaned_data["day"] == date(2026, 12, 8)
        assert 'value="2026-12-08"' in str(DayForm(initial={"day": date(2026, 12, 8)})["day"])


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    # The visible text: tags dropped (a <time> element inside a span), spaces as one.
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode())))


@pytest.fixture
def dated(alt_tokyo, tokyo, staff_tokyo, trainer_tokyo):
    """A session on Tue 8 Dec 2026, 14:00–16:00, the ALT registered, and a request sent at the same minute."""
    with time_machine.travel(NOW, tick=False):
        session = TrainingSessionFactory(
            branch=tokyo, title="Team teaching", start=START, end=START + timedelta(hours=2), trainer=trainer_tokyo
        )
        RegistrationFactory(session=session, alt=alt_tokyo)
        request = SupportRequestFactory(alt=alt_tokyo, created=START, last_activity_at=START)
    return session, request


@pytest.mark.parametrize("language", ["en", "ja"])
def test_pages_admin_email_and_calendar_show_the_one_format(
    language, dated, alt_tokyo, staff_tokyo, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    session, request = dated
    expected = EXPECTED[language]
    alt_tokyo.preferred_language = staff_tokyo.preferred_language = language
    alt_tokyo.save(update_fields=["preferred_language"])
    staff_tokyo.save(update_fields=["preferred_language"])
    alt, staff = client_for(alt_tokyo), client_for(staff_tokyo)
    with time_machine.travel(NOW, tick=False):
        # The dashboard's next session and the training page: start and end.
        assert expected["span"] in _text(alt.get("/"))
        assert expected["span"] in _text(alt.get(reverse("training:index")))
        # A request's page: when it was sent.
        assert expected["datetime"] in _text(alt.get(reverse("support:detail", args=[request.pk])))
        # The admin's list of requests: the last activity (a date column formatted by Django's formats).
        admin_list = _text(staff.get(reverse("admin:support_supportrequest_changelist")))
        assert expected["datetime"] in admin_list
        # An email, through the outbox, in the ALT's language.
        other = TrainingSessionFactory(
            branch=session.branch, title="Second session", start=START, end=START + timedelta(hours=2)
        )
        with django_capture_on_commit_callbacks(execute=True):
            training_services.registration_create_by_staff(session_id=other.pk, alt=alt_tokyo, by=staff_tokyo)
        [email] = mailoutbox
        assert expected["span"] in email.body
        # The calendar feed's description.
        assert alt.post(reverse("training:calendar_create")).status_code == 302
        feed = alt.get(reverse("training:calendar_feed", args=[CalendarFeed.objects.get(alt=alt_tokyo).token]))
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert events and all(expected["span"] in str(event["description"]) for event in events)
    assert SupportRequest.objects.count() == 1


# --- no date format of its own --------------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
APPS = ["core", "contacts", "onboarding", "training", "support", "safety", "interac_portal", "templates", "jinja2"]
# The formats a template may name: the shared ones, and a time of day.
DJANGO_FILTER = re.compile(r"""\|\s*(date|time)\s*:\s*["']([^"']*)["']""")
ALLOWED_DJANGO = {
    "date": {"DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"},
    "time": {"H:i", "H:i:s"},
}
# Jinja2: |date, |datetime, |time take no format (core.jinja2).
JINJA_FORMAT = re.compile(r"\|\s*(date|datetime|time)\s*\(")
STRFTIME = re.compile(r"strftime\(|\.format\([^)]*%[YmdHM]")
# Python: date_format() only with the shared formats; a readable date never from strftime.
PY_DATE_FORMAT = re.compile(r"""date_format\([^)]*,\s*["']([^"']*)["']""")
# Machine text that is not for reading: keys, file names, ISO exports, calendar timestamps.
PY_STRFTIME = re.compile(r"""strftime\(["']([^"']*)["']\)|:(%[^}"']*)\}""")
MACHINE = {"%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M", "%Y%m%dT%H%M%S", "%Y%m%dT%H%M%S%f", "%Y-%m", "%m-%d", "%Y/%m"}


def _files(*suffixes):
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in suffixes and "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def test_templates_use_only_the_shared_date_formats():
    found = []
    for path in _files(".html", ".txt", ".jinja", ".ics"):
        text = path.read_text(encoding="utf-8")
        for kind, fmt in DJANGO_FILTER.findall(text):
            if fmt not in ALLOWED_DJANGO[kind]:
                found.append(f"{path.relative_to(ROOT)}: |{kind}:{fmt!r}")
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in JINJA_FORMAT.finditer(text)]
        found += [f"{path.relative_to(ROOT)}: strftime" for _m in STRFTIME.finditer(text)]
    assert not found, "dates in a format of their own (use the shared ones, core.formats):\n" + "\n".join(found)


def test_python_code_writes_readable_dates_with_core_formats():
    found = []
    for path in _files(".py"):
        text = path.read_text(encoding="utf-8")
        for fmt in PY_DATE_FORMAT.findall(text):
            if fmt not in ALLOWED_DJANGO["date"]:
                found.append(f"{path.relative_to(ROOT)}: date_format(..., {fmt!r})")
        for match in PY_STRFTIME.finditer(text):
            fmt = match.group(1) or match.group(2)
            if fmt and "%" in fmt and fmt not in MACHINE:
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not found, "dates in a format of their own (use core.formats):\n" + "\n".join(found)
