"""The progress report for trainers and SESPS: their ALTs module by module, those behind first, a CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding import progress_report
from onboarding.models import Task
from testing.contacts import make_alt
from testing.onboarding import EnrolmentFactory, complete, make_course

REPORT = reverse("onboarding:staff_progress")
CSV = reverse("onboarding:staff_progress_csv")


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def course(db):
    """Two modules of two readings each."""
    return make_course(tasks_per_module=(2, 2), with_quiz=False)


def enrol(course, *, email, branch, departs_in, done=0, first_name="Alex"):
    alt = make_alt(email=email, branch=branch, departure_date=in_days(departs_in))
    alt.first_name = first_name
    alt.save(update_fields=["first_name"])
    enrolment = EnrolmentFactory(alt=alt, course=course)
    for task in Task.objects.filter(module__course=course).order_by("module__order", "order")[:done]:
        complete(enrolment, task)
    return enrolment


@pytest.fixture
def alts(course, tokyo, osaka):
    return {
        "on_track": enrol(course, email="later@example.com", branch=tokyo, departs_in=40, first_name="Lena"),
        "behind": enrol(course, email="behind@example.com", branch=tokyo, departs_in=5, done=1, first_name="Ben"),
        "complete": enrol(course, email="done@example.com", branch=tokyo, departs_in=3, done=4, first_name="Dora"),
        "departed": enrol(course, email="gone@example.com", branch=tokyo, departs_in=-3, done=2, first_name="Gus"),
        "osaka": enrol(course, email="osaka.alt@example.com", branch=osaka, departs_in=5, first_name="Oscar"),
    }


def emails_in(page: str, alts: dict) -> list[str]:
    """The ALTs' emails in the order the page lists them."""
    found = [(page.find(e.alt.email), e.alt.email) for e in alts.values() if e.alt.email in page]
    return [email for _, email in sorted(found)]


def test_a_branch_trainer_sees_their_branchs_alts_behind_first(client_for, trainer_tokyo, alts):
    response = client_for(trainer_tokyo).get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    # Behind first, then by departure; departed ALTs are not listed unless asked; Osaka's never.
    assert emails_in(page, alts) == ["behind@example.com", "done@example.com", "later@example.com"]
    assert "Behind" in page and "Complete" in page and "On track" in page
    assert "Module 1" in page and "Module 2" in page
    row = page.split("behind@example.com", 1)[1].split("</tr>", 1)[0]
    assert "1/2" in row and "0/2" in row and "1 of 4" in row
    assert reverse("onboarding:certificate_pdf", args=[alts["complete"].pk]) in page


def test_sesps_sees_every_branch(client_for, sesps, alts):
    page = client_for(sesps).get(REPORT).content.decode()
    assert "osaka.alt@example.com" in page and "behind@example.com" in page


@pytest.mark.parametrize("who", ["mc_tokyo", "staff_tokyo", "grm", "alt_tokyo", "outsider", "trainer_osaka"])
def test_others_get_404_or_an_empty_report(client_for, request, alts, who):
    user = request.getfixturevalue(who)
    response = client_for(user).get(REPORT)
    if who == "trainer_osaka":  # a trainer, of another branch: only Osaka's ALTs
        assert response.status_code == 200
        assert emails_in(response.content.decode(), alts) == ["osaka.alt@example.com"]
        return
    assert response.status_code == 404
    assert client_for(user).get(CSV).status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, alts):
    assert client.get(REPORT)["Location"].startswith(reverse("account_login"))


def test_filters_behind_only_and_everyone(client_for, trainer_tokyo, alts):
    client = client_for(trainer_tokyo)
    behind = client.get(REPORT, {"show": "behind"}).content.decode()
    assert emails_in(behind, alts) == ["behind@example.com"]
    everyone = client.get(REPORT, {"show": "all"}).content.decode()
    assert "gone@example.com" in everyone
    assert "Departed without finishing" in everyone


def test_a_branch_outside_the_trainers_scope_is_a_form_error(client_for, trainer_tokyo, osaka, alts):
    response = client_for(trainer_tokyo).get(REPORT, {"branch": osaka.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "osaka.alt@example.com" not in response.content.decode()


@pytest.mark.parametrize("params", [{"course": "abc"}, {"show": "nope"}, {"course": "999999"}])
def test_bad_filters_are_a_400_with_a_message(client_for, sesps, alts, params):
    for url in (REPORT, CSV):
        response = client_for(sesps).get(url, params)
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()


def test_the_csv_lists_every_row_module_by_module_and_defuses_formulas(client_for, trainer_tokyo, tokyo, course, alts):
    enrol(course, email="evil@example.com", branch=tokyo, departs_in=20, first_name='=HYPERLINK("http://x","y")')
    response = client_for(trainer_tokyo).get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_email = {row["Email"]: row for row in rows}
    assert set(by_email) == {"behind@example.com", "done@example.com", "later@example.com", "evil@example.com"}
    assert rows[0]["Email"] == "behind@example.com"
    assert (by_email["behind@example.com"]["Module 1"], by_email["behind@example.com"]["Module 2"]) == ("1/2", "0/2")
    assert by_email["behind@example.com"]["Status"] == "Behind"
    assert by_email["done@example.com"]["Percent"] == "100"
    assert by_email["evil@example.com"]["Name"].startswith("'=HYPERLINK")


def test_the_report_pages_through_many_alts(client_for, sesps, alts, monkeypatch):
    monkeypatch.setattr(progress_report, "PAGE_SIZE", 2)
    client = client_for(sesps)
    first = client.get(REPORT).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(REPORT, {"page": "2"}).content.decode()
    assert len(emails_in(first, alts)) == 2 and len(emails_in(second, alts)) == 2
    assert client.get(REPORT, {"page": "nope"}).status_code == 200  # the first page


@pytest.mark.parametrize("count", [1, 20])
def test_the_query_count_does_not_grow_with_alts(
    client_for, sesps, course, tokyo, django_assert_max_num_queries, count
):
    for n in range(count):
        enrol(course, email=f"alt{n}@example.com", branch=tokyo, departs_in=n, done=n % 5)
    client = client_for(sesps)
    client.get(REPORT)
    with django_assert_max_num_queries(12):
        assert client.get(REPORT).status_code == 200


def test_the_admin_links_to_the_report_for_those_who_may_see_it(client_for, trainer_tokyo, mc_tokyo, alts):
    changelist = reverse("admin:onboarding_enrolment_changelist")
    assert REPORT in client_for(trainer_tokyo).get(changelist).content.decode()
    assert REPORT not in client_for(mc_tokyo).get(changelist).content.decode()


def test_japanese_report(client_for, trainer_tokyo, alts):
    trainer_tokyo.preferred_language = "ja"
    trainer_tokyo.save()
    page = client_for(trainer_tokyo).get(REPORT).content.decode()
    assert "eラーニングの進捗" in page
    assert "遅れ" in page
