"""Checking in with the session's QR code: the trainer's code, the ALT's page (GET shows, POST checks in),
the window from 30 minutes before the start until the end, and everyone else refused with a reason."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image, ImageDraw

from testing.training import RegistrationFactory, TrainingSessionFactory
from training.checkin import checkin_token
from training.models import Registration, TrainingSession

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 5, 11, 10, 0, tzinfo=JST)
Status = Registration.Status


@pytest.fixture
def session(tokyo, trainer_tokyo):
    return TrainingSessionFactory(
        branch=tokyo,
        trainer=trainer_tokyo,
        title="Tokyo phonics workshop",
        start=START,
        end=START + timedelta(hours=2),
        registration_deadline=None,
    )


@pytest.fixture
def registration(session, alt_tokyo):
    return RegistrationFactory(session=session, alt=alt_tokyo)


@pytest.fixture
def at(time_machine):
    """Set the clock (Japan time); tests log in after it, since a session idles out after two hours."""

    def move(when: datetime):
        time_machine.move_to(when, tick=False)

    return move


def url(session, token=None) -> str:
    return reverse("training:check_in", args=[session.pk, token or checkin_token(session)])


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_alt_opens_the_page_then_checks_in_with_the_button(client_for, alt_tokyo, registration, at):
    at(START - timedelta(minutes=10))
    client = client_for(alt_tokyo)
    page = client.get(url(registration.session))
    assert page.status_code == 200
    assert "I'm here: check in" in text(page)
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED  # the page alone changes nothing

    response = client.post(url(registration.session))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at, registration.marked_by) == (
        Status.ATTENDED,
        START - timedelta(minutes=10),
        alt_tokyo,
    )
    done = text(client.get(url(registration.session)))
    assert "You are checked in." in done
    assert "Checked in at 09:50." in done
    assert "I'm here: check in" not in done

    # A second scan: nothing more happens.
    assert client.post(url(registration.session)).status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at == START - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (START - timedelta(minutes=31), False),
        (START - timedelta(minutes=30), True),
        (START + timedelta(minutes=90), True),
        (START + timedelta(hours=2) - timedelta(seconds=1), True),
        (START + timedelta(hours=2), False),
        (START + timedelta(days=1), False),
    ],
)
def test_check_in_is_open_from_30_minutes_before_the_start_until_the_end(
    client_for, alt_tokyo, registration, at, when, allowed
):
    at(when)
    client = client_for(alt_tokyo)
    page = text(client.get(url(registration.session)))
    assert ("I'm here: check in" in page) is allowed
    response = client.post(url(registration.session))
    registration.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert registration.status == Status.ATTENDED
        return
    assert response.status_code == 409
    assert registration.status == Status.REGISTERED and registration.checked_in_at is None
    if when < START:
        assert "Check-in opens 30 minutes before the start, at 09:30 (Japan time)." in text(response)
    elif when.date() == START.date():
        assert "This session has ended, so check-in is closed." in text(response)


def test_too_early_on_another_day_names_the_day(client_for, alt_tokyo, registration, at):
    at(START - timedelta(days=2))
    page = text(client_for(alt_tokyo).get(url(registration.session)))
    assert re.search(r"Check-in opens 30 minutes before the start, at \S.* 09:30 \(Japan time\)", page), page


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.WAITLISTED, "You are on the waiting list for this session"),
        (Status.EXCUSED, "You told us you cannot attend"),
    ],
)
def test_without_a_place_the_alt_is_told_to_see_the_trainer(client_for, alt_tokyo, session, at, status, message):
    registration = RegistrationFactory(
        session=session, alt=alt_tokyo, status=status, waitlist_position=1 if status == Status.WAITLISTED else None
    )
    at(START)
    client = client_for(alt_tokyo)
    assert message in text(client.get(url(session)))
    response = client.post(url(session))
    assert response.status_code == 409
    assert message in text(response)
    registration.refresh_from_db()
    assert registration.status == status


@pytest.mark.parametrize("who", ["alt_osaka", "other_tokyo_alt"])
def test_an_alt_not_registered_is_refused_and_nothing_is_saved(client_for, request, tokyo, session, at, who):
    from testing.contacts import make_alt

    alt = (
        make_alt(branch=tokyo, email="other@example.com") if who == "other_tokyo_alt" else request.getfixturevalue(who)
    )
    at(START)
    client = client_for(alt)
    assert "You are not registered for this session" in text(client.get(url(session)))
    response = client.post(url(session))
    assert response.status_code == 409
    assert "You are not registered for this session, so you cannot check in." in text(response)
    assert not Registration.objects.exists()


def test_a_cancelled_session_refuses_check_in(client_for, alt_tokyo, registration, at):
    TrainingSession.objects.filter(pk=registration.session_id).update(status=TrainingSession.Status.CANCELLED)
    at(START)
    response = client_for(alt_tokyo).post(url(registration.session))
    assert response.status_code == 409
    assert "This session has been cancelled." in text(response)


def test_an_alt_marked_absent_who_arrives_late_is_marked_attended(client_for, alt_tokyo, registration, at):
    Registration.objects.filter(pk=registration.pk).update(status=Status.ABSENT)
    at(START + timedelta(minutes=45))
    assert client_for(alt_tokyo).post(url(registration.session)).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.ATTENDED


def test_a_wrong_token_or_another_sessions_token_is_404(client_for, alt_tokyo, registration, tokyo, at):
    other = TrainingSessionFactory(branch=tokyo)
    at(START)
    client = client_for(alt_tokyo)
    for bad in (url(registration.session, "x" * 32), url(registration.session, checkin_token(other))):
        assert client.get(bad).status_code == 404
        assert client.post(bad).status_code == 404
    assert client.get(reverse("training:check_in", args=[999999, "x"])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED


@pytest.mark.parametrize("who", ["trainer_tokyo", "mc_tokyo", "sesps"])
def test_staff_are_not_alts_here(client_for, request, registration, at, who):
    at(START)
    assert client_for(request.getfixturevalue(who)).get(url(registration.session)).status_code == 404


def test_anonymous_visitors_log_in_and_come_back(client, registration, at):
    at(START)
    response = client.get(url(registration.session))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url(registration.session)}"
    assert client.post(url(registration.session)).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED


def test_the_page_in_japanese(client_for, alt_tokyo, registration, at):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    at(START)
    page = text(client_for(alt_tokyo).get(url(registration.session)))
    assert "チェックイン" in page


# --- the trainer's side: the QR code and the roll --------------------------------------


def decode_qr(svg: str) -> str:
    """Read the QR code in segno's SVG as a camera would: draw its path's modules, then decode with zxing."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r'class="qrline"[^>]*d="([^"]+)"', svg).group(1)
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    # segno draws each row's dark runs as horizontal strokes: M/m move (absolute/relative), h draws.
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            row = int(y - 0.5)
            draw.rectangle([x * scale, row * scale, (x + float(a)) * scale - 1, (row + 1) * scale - 1], fill=0)
            x += float(a)
    results = zxingcpp.read_barcodes(image)
    assert [r.format for r in results] == [zxingcpp.BarcodeFormat.QRCode]
    return results[0].text


def test_the_trainer_shows_the_qr_code_of_the_check_in_address(client_for, trainer_tokyo, registration, settings):
    settings.SITE_URL = "https://portal.example.com"
    response = client_for(trainer_tokyo).get(reverse("training:checkin_qr", args=[registration.session_id]))
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r'<svg viewBox="0 0 \d+ \d+" class="checkin-qr">.*?</svg>', page, re.S).group(0)
    assert "<title>Check-in QR code</title>" in svg
    assert decode_qr(svg) == f"https://portal.example.com{url(registration.session)}"
    assert f"https://portal.example.com{url(registration.session)}" in page  # also as text, to type
    assert "0 of 1 checked in or marked present." in page
    assert "<script" not in page.split('id="checkin-qr"', 1)[1].split("</figure>", 1)[0]


@pytest.mark.parametrize(
    ("who", "status"), [("sesps", 200), ("trainer_osaka", 404), ("mc_tokyo", 404), ("alt_tokyo", 404)]
)
def test_only_those_taking_attendance_see_the_qr_code(client_for, request, registration, who, status):
    user = request.getfixturevalue(who)
    assert client_for(user).get(reverse("training:checkin_qr", args=[registration.session_id])).status_code == status


def test_the_trainer_marks_everyone_present_then_adjusts(client_for, trainer_tokyo, session, alt_tokyo, at):
    from testing.contacts import make_alt

    others = [make_alt(branch=session.branch, email=f"alt{n}@example.com") for n in range(3)]
    registrations = [RegistrationFactory(session=session, alt=alt) for alt in [alt_tokyo, *others[:2]]]
    excused = RegistrationFactory(session=session, alt=others[2], status=Status.EXCUSED)
    at(START + timedelta(minutes=5))
    client = client_for(trainer_tokyo)
    attendance = reverse("training:attendance", args=[session.pk])
    assert "Mark everyone present" in client.get(attendance).content.decode()
    response = client.post(attendance, {"all_present": "1"}, follow=True)
    assert "3 marked present. Change anyone who is not here, then save." in text(response)
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in registrations] == [Status.ATTENDED] * 3
    assert statuses[excused.pk] == Status.EXCUSED
    assert "Mark everyone present" not in text(response)  # nobody left to mark

    # One of them is not here after all.
    assert client.post(attendance, {f"reg-{registrations[1].pk}": "ABSENT"}).status_code == 302
    assert Registration.objects.get(pk=registrations[1].pk).status == Status.ABSENT


def test_mark_everyone_present_is_refused_before_attendance_opens(client_for, trainer_tokyo, registration, at):
    at(START - timedelta(days=2))
    attendance = reverse("training:attendance", args=[registration.session_id])
    response = client_for(trainer_tokyo).post(attendance, {"all_present": "1"}, follow=True)
    assert "Attendance opens 24 hours before the start." in text(response)
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED


def test_the_roll_shows_who_checked_in_with_the_qr_code(client_for, trainer_tokyo, alt_tokyo, registration, at):
    at(START - timedelta(minutes=3))
    client_for(alt_tokyo).post(url(registration.session))
    page = text(client_for(trainer_tokyo).get(reverse("training:attendance", args=[registration.session_id])))
    assert "checked in with the QR code at 09:57" in page
    assert re.search(r'value="ATTENDED"[^>]*checked', page)


def test_get_of_the_roll_with_all_present_in_the_query_changes_nothing(client_for, trainer_tokyo, registration, at):
    at(START)
    client_for(trainer_tokyo).get(reverse("training:attendance", args=[registration.session_id]), {"all_present": "1"})
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED
