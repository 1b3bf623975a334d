"""Well-being check-ins at 1, 3 and 6 months after arrival: the timing, the answer, consent, and averages only."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile
from safety.models import WellbeingCheckin
from safety.tasks import send_wellbeing_checkins
from support.models import Category, SupportRequest
from testing.contacts import make_alt

JST = ZoneInfo("Asia/Tokyo")
WELLBEING = "/admin/safety/safetycheck/wellbeing/"


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=JST)


def _invited(mailoutbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in mailoutbox if "check-in" in m.subject]


def _checkin(alt, month=1, **fields) -> WellbeingCheckin:
    return WellbeingCheckin.objects.create(alt=alt, branch=alt.alt_profile.branch, month=month, **fields)


def test_invited_at_one_three_and_six_months_once_each_however_often_the_task_runs(
    tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    arrival = date(2027, 1, 31)  # month ends: Feb 28, Apr 30, Jul 31
    make_alt(branch=tokyo, email="new@example.com", departure_date=arrival, arrival_date=arrival)
    days = {}
    day = arrival
    while day <= arrival + timedelta(days=220):
        time_machine.move_to(_morning(day), tick=False)
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                send_wellbeing_checkins()
        for _address, subject in _invited(mailoutbox)[len(days) :]:
            days[day] = subject
        day += timedelta(days=1)
    assert list(days) == [date(2027, 2, 28), date(2027, 4, 30), date(2027, 7, 31)]
    assert set(days.values()) == {"How are you doing? A short check-in"}
    assert list(WellbeingCheckin.objects.order_by("month").values_list("month", flat=True)) == [1, 3, 6]


def test_a_day_missed_by_the_scheduler_is_made_up_but_not_a_month_later(
    tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    arrival = date(2027, 4, 3)
    make_alt(branch=tokyo, email="late@example.com", arrival_date=arrival)
    make_alt(branch=tokyo, email="long.ago@example.com", arrival_date=arrival - relativedelta(months=2, days=20))
    time_machine.move_to(_morning(date(2027, 5, 6)), tick=False)  # three days after the one-month day
    with django_capture_on_commit_callbacks(execute=True):
        send_wellbeing_checkins()
    assert [address for address, _subject in _invited(mailoutbox)] == ["late@example.com"]
    time_machine.move_to(_morning(date(2027, 5, 25)), tick=False)
    arrived_later = make_alt(branch=tokyo, email="later@example.com", arrival_date=date(2027, 4, 3))
    with django_capture_on_commit_callbacks(execute=True):
        send_wellbeing_checkins()
    assert not WellbeingCheckin.objects.filter(alt=arrived_later).exists()  # its day was 22 days ago


def test_no_invitation_before_arrival_nor_without_a_branch(
    applicant, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    AltProfile.objects.filter(user=applicant).update(arrival_date=timezone.localdate() - relativedelta(months=1))
    with django_capture_on_commit_callbacks(execute=True):
        send_wellbeing_checkins()
    assert _invited(mailoutbox) == []


def test_the_invitation_links_to_the_check_in_and_the_dashboard_shows_it_until_answered(
    client_for, tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    arrival = timezone.localdate() - relativedelta(months=1)
    alt = make_alt(branch=tokyo, email="new@example.com", arrival_date=arrival)
    with django_capture_on_commit_callbacks(execute=True):
        send_wellbeing_checkins()
    checkin = WellbeingCheckin.objects.get(alt=alt)
    (message,) = mailoutbox
    assert f"http://127.0.0.1:8000/safety/checkin/{checkin.pk}/" in message.body
    assert "You have been in Japan for 1 month." in message.body
    client = client_for(alt)
    assert reverse("safety:checkin", args=[checkin.pk]) in client.get("/").content.decode()
    client.post(reverse("safety:checkin", args=[checkin.pk]), {"work": 4, "daily_life": 4, "health": 5})
    assert reverse("safety:checkin", args=[checkin.pk]) not in client.get("/").content.decode()


def test_an_answer_is_recorded_once_and_a_good_one_shows_no_counselling_line(client_for, alt_tokyo):
    checkin = _checkin(alt_tokyo)
    client = client_for(alt_tokyo)
    url = reverse("safety:checkin", args=[checkin.pk])
    assert "How is work going?" in client.get(url).content.decode()
    response = client.post(url, {"work": 4, "daily_life": 3, "health": 5, "comment": "Busy but fine."})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Thank you for answering." in page and 'id="counselling-line"' not in page
    checkin.refresh_from_db()
    assert (checkin.work, checkin.daily_life, checkin.health, checkin.comment) == (4, 3, 5, "Busy but fine.")
    client.post(url, {"work": 1, "daily_life": 1, "health": 1})
    checkin.refresh_from_db()
    assert checkin.work == 4
    assert not SupportRequest.objects.exists()


def test_a_low_answer_shows_the_counselling_lines_number_and_hours_at_once(client_for, alt_tokyo, settings):
    checkin = _checkin(alt_tokyo)
    client = client_for(alt_tokyo)
    url = reverse("safety:checkin", args=[checkin.pk])
    page = client.post(url, {"work": 4, "daily_life": 2, "health": 4}, follow=True).content.decode()
    line = page.split('id="counselling-line"', 1)[1].split("</div>", 1)[0]
    assert settings.WELLBEING_LINE["phone"] in line and settings.WELLBEING_LINE["hours"] in line


def test_contact_me_opens_a_confidential_wellbeing_request_that_the_mc_sees(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo, django_capture_on_commit_callbacks, mailoutbox
):
    checkin = _checkin(alt_tokyo, month=3)
    url = reverse("safety:checkin", args=[checkin.pk])
    page = client_for(alt_tokyo).get(url).content.decode()
    assert "I would like someone to contact me" in page and "Ticking this is your consent" in page
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(
            url, {"work": 2, "daily_life": 1, "health": 3, "comment": "Lonely at weekends.", "contact_me": "on"}
        )
    request = SupportRequest.objects.get()
    assert request.category == Category.WELLBEING and request.alt == alt_tokyo
    assert "Lonely at weekends." in request.details and "Daily life: 1/5" in request.details
    assert request.reference in client_for(mc_tokyo).get("/admin/support/supportrequest/").content.decode()
    assert request.reference not in client_for(staff_tokyo).get("/admin/support/supportrequest/").content.decode()
    assert {m.to[0] for m in mailoutbox} >= {"mc.tokyo@example.com"}
    page = client_for(alt_tokyo).get(url).content.decode()
    assert 'id="contact-requested"' in page and 'id="counselling-line"' in page


def test_missing_scores_are_told_on_the_form_and_nothing_is_saved(client_for, alt_tokyo):
    checkin = _checkin(alt_tokyo)
    response = client_for(alt_tokyo).post(
        reverse("safety:checkin", args=[checkin.pk]), {"work": 9, "comment": "Half done", "contact_me": "on"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page and "Half done" in page
    checkin.refresh_from_db()
    assert checkin.answered_at is None and not SupportRequest.objects.exists()


def test_another_alts_check_in_answers_404(client_for, alt_tokyo, alt_osaka, staff_tokyo):
    checkin = _checkin(alt_osaka)
    url = reverse("safety:checkin", args=[checkin.pk])
    for person in (alt_tokyo, staff_tokyo):
        assert client_for(person).get(url).status_code == 404
        assert client_for(person).post(url, {"work": 1, "daily_life": 1, "health": 1}).status_code == 404
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def _answered(branch, count, scores=(3, 4, 5), comment="secret"):
    for n in range(count):
        alt = make_alt(branch=branch, email=f"{branch.code}{n}@example.com")
        # A name no page could hold by chance (a random one may be a word of the page, "Lang" of "Language").
        alt.last_name = f"Zyx{branch.code.capitalize()}{n}"
        alt.save(update_fields=["last_name"])
        _checkin(
            alt, answered_at=timezone.now(), work=scores[0], daily_life=scores[1], health=scores[2], comment=comment
        )


def test_staff_see_branch_averages_only_where_five_answered_and_never_a_name(client_for, sesps, tokyo, osaka):
    _answered(tokyo, 5, scores=(2, 4, 5), comment="My supervisor shouts")
    _answered(osaka, 4)
    response = client_for(sesps).get(WELLBEING)
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["rows"]}
    assert rows["Tokyo"].shown and (rows["Tokyo"].work, rows["Tokyo"].daily_life, rows["Tokyo"].health) == (2, 4, 5)
    assert not rows["Osaka"].shown and rows["Osaka"].work is None
    page = response.content.decode()
    assert "Fewer than 5 answers: not shown." in page
    assert "@example.com" not in page.split('id="wellbeing-averages"', 1)[1]
    assert "My supervisor shouts" not in page
    for alt in AltProfile.objects.select_related("user"):
        assert alt.user.last_name.startswith("Zyx") and alt.user.last_name not in page


def test_branch_staff_see_their_branch_only_and_trainers_nothing(
    client_for, mc_tokyo, trainer_tokyo, grm, tokyo, osaka
):
    _answered(tokyo, 5)
    _answered(osaka, 6)
    rows = client_for(mc_tokyo).get(WELLBEING).context["rows"]
    assert [row.name for row in rows] == ["Tokyo"]
    assert client_for(trainer_tokyo).get(WELLBEING).status_code == 404
    assert client_for(grm).get(WELLBEING).status_code == 404
