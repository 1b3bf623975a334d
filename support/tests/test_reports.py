"""The monthly report: requests by category, median first response and resolution in office hours, the share
answered within the due time, open requests by age; a chart and a CSV file. Branch staff see their branch;
SESPS, GRM and superusers every branch."""

import csv
import io

import pytest
from django.urls import reverse

from support.models import Category, Status, Urgency
from support.views_staff import csv_cell
from testing.support import MessageFactory, SupportRequestFactory, jst

URL = reverse("support:reports")


@pytest.fixture
def june(alt_tokyo, alt_osaka, applicant, staff_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-15 12:00"), tick=False)
    # Friday 17:00, answered Monday 10:00: two office hours; resolved Monday 12:00: four.
    friday = SupportRequestFactory(
        alt=alt_tokyo,
        category=Category.BANK_ACCOUNT,
        created=jst("2026-06-05 17:00"),
        status=Status.RESOLVED,
        resolved_at=jst("2026-06-08 12:00"),
    )
    MessageFactory(support_request=friday, author=staff_tokyo, from_staff=True, created=jst("2026-06-08 10:00"))
    # An internal note earlier does not count as an answer.
    MessageFactory(
        support_request=friday, author=staff_tokyo, from_staff=True, is_internal=True, created=jst("2026-06-05 17:30")
    )
    # Monday 10:00, answered 11:00 (one hour), resolved Tuesday 10:00 (nine hours).
    monday = SupportRequestFactory(
        alt=alt_tokyo,
        category=Category.CITY_HALL,
        created=jst("2026-06-01 10:00"),
        status=Status.RESOLVED,
        resolved_at=jst("2026-06-02 10:00"),
    )
    MessageFactory(support_request=monday, author=staff_tokyo, from_staff=True, created=jst("2026-06-01 11:00"))
    # Urgent, due Tuesday 14:00, never answered: late; open for 13 days.
    SupportRequestFactory(
        alt=alt_tokyo, category=Category.HOUSING, urgency=Urgency.URGENT, created=jst("2026-06-02 10:00")
    )
    # Sent yesterday, not yet due: not counted in the share; open one day.
    SupportRequestFactory(alt=alt_tokyo, category=Category.CITY_HALL, created=jst("2026-06-14 10:00"))
    # Osaka's and GRM's, and one of May.
    SupportRequestFactory(alt=alt_osaka, category=Category.DOCTOR, created=jst("2026-06-03 10:00"))
    SupportRequestFactory(alt=applicant, category=Category.VISA, created=jst("2026-06-03 10:00"))
    SupportRequestFactory(alt=alt_tokyo, category=Category.DOCTOR, created=jst("2026-05-30 10:00"))


def test_branch_staff_see_their_branchs_month(client_for, tokyo, staff_tokyo, june):
    response = client_for(staff_tokyo).get(URL, {"desk": tokyo.pk, "month": "2026-06"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-total">4<' in page
    assert 'id="report-first-response">1.5 h<' in page
    assert 'id="report-resolution">6.5 h<' in page
    assert 'id="report-in-time">67%<' in page and "2 / 3" in page
    assert '<svg id="chart-category"' in page and '<svg id="chart-age"' in page
    report = response.context["report"]
    assert dict(report.by_category)["City hall registration"] == 2
    assert dict(report.by_category)["Doctor or medical"] == 0
    assert dict(report.open_by_age) == {
        "under 1 day": 0,
        "1 to 3 days": 1,
        "3 to 7 days": 0,
        "1 to 2 weeks": 1,
        "over 2 weeks": 1,  # the May one
    }


def test_the_page_defaults_to_this_month_of_the_users_branch(client_for, staff_tokyo, june):
    response = client_for(staff_tokyo).get(URL)
    assert response.status_code == 200
    assert response.context["report"].total == 4


def test_branch_staff_cannot_see_another_branch(client_for, osaka, staff_tokyo, june):
    response = client_for(staff_tokyo).get(URL, {"desk": osaka.pk, "month": "2026-06"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "report" not in response.context


def test_a_bad_month_gets_a_message(client_for, tokyo, staff_tokyo):
    response = client_for(staff_tokyo).get(URL, {"desk": tokyo.pk, "month": "June"})
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize("who", ["grm", "sesps", "superuser"])
def test_national_staff_see_every_branch_and_grm(request, client_for, tokyo, osaka, june, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get(URL, {"desk": "all", "month": "2026-06"})
    assert page.status_code == 200 and page.context["report"].total == 6
    assert client.get(URL, {"desk": osaka.pk, "month": "2026-06"}).context["report"].total == 1
    grm_desk = client.get(URL, {"desk": "grm", "month": "2026-06"}).context["report"]
    assert grm_desk.total == 1 and dict(grm_desk.by_category)["Visa and certificate of eligibility"] == 1


@pytest.mark.parametrize("who", ["trainer_tokyo", "alt_tokyo", "outsider"])
def test_others_get_404(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


def test_anonymous_visitors_log_in(client_for):
    assert client_for(None).get(URL).status_code == 302


def test_the_csv_download(client_for, tokyo, staff_tokyo, june):
    response = client_for(staff_tokyo).get(URL, {"desk": tokyo.pk, "month": "2026-06", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "support-report-2026-06.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Branch", "Tokyo", ""] in rows
    assert ["Requests by category", "City hall registration", "2"] in rows
    assert ["Median first response (office hours)", "1.5", ""] in rows
    assert ["Answered within the due time", "2", "3"] in rows


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client_for, tokyo, staff_tokyo, june):
    tokyo.name_en = '=HYPERLINK("http://evil.example","x")'
    tokyo.save()
    response = client_for(staff_tokyo).get(URL, {"desk": tokyo.pk, "month": "2026-06", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1].startswith("'=HYPERLINK")
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert csv_cell(value) == "'" + value
    assert csv_cell("Tokyo") == "Tokyo" and csv_cell(3) == "3"


def test_the_report_queries_do_not_grow_with_requests(
    client_for, tokyo, alt_tokyo, staff_tokyo, june, django_assert_max_num_queries
):
    client = client_for(staff_tokyo)
    params = {"desk": tokyo.pk, "month": "2026-06"}
    client.get(URL, params)
    with django_assert_max_num_queries(12) as few:
        client.get(URL, params)
    for day in range(1, 13):
        SupportRequestFactory(alt=alt_tokyo, created=jst(f"2026-06-{day:02d} 10:00"))
    with django_assert_max_num_queries(12) as many:
        client.get(URL, params)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_support_list_in_the_admin_links_to_the_report(client_for, staff_tokyo, trainer_tokyo):
    changelist = reverse("admin:support_supportrequest_changelist")
    assert URL in client_for(staff_tokyo).get(changelist).content.decode()
    assert URL not in client_for(trainer_tokyo).get(changelist).content.decode()
