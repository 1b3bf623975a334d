"""The staff view of a check (its admin change page): counts and lists per branch, live refresh, CSV, closing."""

import csv
import io

import pytest

from contacts.models import User
from safety.models import SafetyCheck
from safety.services import safety_answer_record
from testing.contacts import make_alt

from .factories import link_path, start_check


def _page(check) -> str:
    return f"/admin/safety/safetycheck/{check.pk}/change/"


def _answer(check, alt, status, note=""):
    safety_answer_record(check_id=check.pk, alt_id=alt.pk, status=status, note=note, channel="EMAIL_LINK")


def test_national_staff_see_each_branch_with_safe_need_help_and_no_answer(
    client_for, sesps, settled, alt_tokyo, alt_osaka, tokyo, mc_tokyo
):
    quiet = make_alt(branch=tokyo, mc=mc_tokyo, email="quiet@example.com", prefecture="13")
    User.objects.filter(pk=quiet.pk).update(first_name="Quinn", last_name="Quiet", phone="080-1111-2222")
    check = start_check(by=sesps)
    _answer(check, alt_tokyo, "NEED_HELP", "Water is coming in.")
    _answer(check, alt_osaka, "SAFE")
    response = client_for(sesps).get(_page(check))
    assert response.status_code == 200
    status = response.context["status"]
    counts = {row.name: (row.total, row.safe, row.need_help, row.no_answer) for row in status.branches}
    assert counts == {"Tokyo": (2, 0, 1, 1), "Osaka": (1, 1, 0, 0)}
    page = response.content.decode()
    need_help = page.split('id="need-help"', 1)[1].split("</table>", 1)[0]
    assert alt_tokyo.display_name in need_help and "Water is coming in." in need_help and "Saitama" in need_help
    assert mc_tokyo.display_name in need_help
    no_answer = page.split('id="no-answer"', 1)[1].split("</table>", 1)[0]
    assert "Quinn Quiet" in no_answer and "080-1111-2222" in no_answer and "Tokyo" in no_answer
    assert alt_osaka.display_name not in need_help + no_answer


def test_branch_staff_see_only_their_branch_of_a_check_over_every_branch(
    client_for, sesps, settled, alt_tokyo, alt_osaka, staff_tokyo
):
    check = start_check(by=sesps)
    _answer(check, alt_osaka, "NEED_HELP", "Osaka trouble")
    response = client_for(staff_tokyo).get(_page(check))
    assert [row.name for row in response.context["status"].branches] == ["Tokyo"]
    page = response.content.decode()
    assert alt_tokyo.display_name in page and alt_osaka.display_name not in page and "Osaka trouble" not in page


def test_a_check_of_another_branch_answers_404_to_branch_staff(
    client_for, sesps, settled, osaka, staff_tokyo, mc_tokyo, trainer_tokyo
):
    check = start_check(by=sesps, branches=[osaka])
    for person in (staff_tokyo, mc_tokyo, trainer_tokyo):
        client = client_for(person)
        for suffix in ("change/", "status/", "answers.csv", "history/"):
            assert client.get(f"/admin/safety/safetycheck/{check.pk}/{suffix}").status_code == 404, (person, suffix)
        assert client.post(f"/admin/safety/safetycheck/{check.pk}/close/").status_code == 404
    check.refresh_from_db()
    assert check.is_open


def test_the_list_refreshes_itself_with_htmx_from_static_files_only(client_for, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    page = client_for(sesps).get(_page(check)).content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page
    assert f'hx-get="/admin/safety/safetycheck/{check.pk}/status/"' in page and 'hx-trigger="every 15s"' in page
    fragment = client_for(sesps).get(f"/admin/safety/safetycheck/{check.pk}/status/")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="safety-status"') and "<html" not in text
    assert alt_tokyo.display_name in text
    _answer(check, alt_tokyo, "SAFE")
    assert (
        alt_tokyo.display_name
        not in client_for(sesps).get(f"/admin/safety/safetycheck/{check.pk}/status/").content.decode()
    )


def test_the_lists_of_one_branch(client_for, sesps, settled, alt_tokyo, alt_osaka, osaka):
    check = start_check(by=sesps)
    page = client_for(sesps).get(_page(check) + f"?branch={osaka.pk}").content.decode()
    assert alt_osaka.display_name in page and alt_tokyo.display_name not in page
    assert client_for(sesps).get(_page(check) + "?branch=nope").status_code == 200


@pytest.mark.parametrize("people", [1, 30])
def test_the_staff_view_stays_under_10_queries(
    client_for, sesps, staff_tokyo, tokyo, people, django_assert_max_num_queries
):
    for n in range(people):
        make_alt(branch=tokyo, email=f"alt{n}@example.com")
    check = start_check(by=sesps)
    answers = list(check.answers.all())
    for answer in answers[: people // 2]:
        status = "NEED_HELP" if answer.pk % 2 else "SAFE"
        safety_answer_record(check_id=check.pk, alt_id=answer.alt_id, status=status, note="", channel="DASHBOARD")
    for person in (sesps, staff_tokyo):
        client = client_for(person)
        client.get(_page(check))
        with django_assert_max_num_queries(9):
            assert client.get(_page(check)).status_code == 200
        with django_assert_max_num_queries(9):
            assert client.get(f"/admin/safety/safetycheck/{check.pk}/status/").status_code == 200


def test_the_lists_are_cut_at_their_limit_and_say_how_many_more(client_for, sesps, tokyo, monkeypatch):
    from safety import selectors

    monkeypatch.setattr(selectors, "LIST_LIMIT", 3)
    for n in range(5):
        make_alt(branch=tokyo, email=f"alt{n}@example.com")
    check = start_check(by=sesps)
    response = client_for(sesps).get(_page(check))
    assert len(response.context["status"].no_answer) == 3
    assert "… and 2 more: the CSV has everyone." in response.content.decode()


def test_the_csv_has_everyone_with_their_answer_and_no_cell_a_spreadsheet_would_run(
    client_for, sesps, settled, alt_tokyo, alt_osaka, mc_tokyo
):
    User.objects.filter(pk=alt_tokyo.pk).update(first_name='=HYPERLINK("http://evil")', phone="+81 80 1234 5678")
    check = start_check(by=sesps)
    _answer(check, alt_tokyo, "NEED_HELP", "-2+3 people trapped")
    _answer(check, alt_osaka, "SAFE", "@home")
    response = client_for(sesps).get(f"/admin/safety/safetycheck/{check.pk}/answers.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="safety-check-{check.pk}.csv"'
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["branch", "name", "email"]
    by_email = {row[2]: row for row in rows[1:]}
    tokyo_row = by_email["alt.tokyo@example.com"]
    assert tokyo_row[1].startswith("'=HYPERLINK") and tokyo_row[3] == "'+81 80 1234 5678"
    assert tokyo_row[4] == "Saitama" and tokyo_row[5] == mc_tokyo.display_name
    assert tokyo_row[6] == "Needs help" and tokyo_row[7] == "'-2+3 people trapped"
    assert tokyo_row[10].startswith("SR-")
    assert by_email["alt.osaka@example.com"][7] == "'@home"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_branch_staff_close_a_check_of_their_branch_and_the_links_stop(
    client_for, mc_tokyo, settled, tokyo, alt_tokyo, client
):
    check = start_check(by=mc_tokyo, branches=[tokyo])
    staff = client_for(mc_tokyo)
    assert "Close the check" in staff.get(_page(check)).content.decode()
    assert staff.get(f"/admin/safety/safetycheck/{check.pk}/close/").status_code == 405
    response = staff.post(f"/admin/safety/safetycheck/{check.pk}/close/")
    assert response.status_code == 302
    check.refresh_from_db()
    assert not check.is_open and check.closed_by == mc_tokyo
    assert client.get(link_path(check, alt_tokyo)).status_code == 404
    page = staff.get(_page(check)).content.decode()
    assert "Close the check" not in page and 'hx-trigger="every' not in page


def test_branch_staff_cannot_close_a_check_over_other_branches(client_for, sesps, settled, staff_tokyo):
    check = start_check(by=sesps)
    client = client_for(staff_tokyo)
    assert "Close the check" not in client.get(_page(check)).content.decode()
    response = client.post(f"/admin/safety/safetycheck/{check.pk}/close/", follow=True)
    assert "closed by whoever started it or national staff" in response.content.decode()
    assert SafetyCheck.objects.get().is_open
    assert client_for(sesps).post(f"/admin/safety/safetycheck/{check.pk}/close/").status_code == 302
    assert not SafetyCheck.objects.get().is_open


def test_a_started_check_is_not_edited(client_for, sesps, settled):
    check = start_check(by=sesps)
    response = client_for(sesps).post(_page(check), {"title": "Changed", "message": "x", "reason": "OTHER"})
    assert response.status_code == 405
    assert SafetyCheck.objects.get().title == "Earthquake in Kanto"


def test_the_list_of_checks_shows_their_scope_and_state(client_for, sesps, settled, tokyo):
    start_check(by=sesps, title="Nationwide")
    start_check(by=sesps, title="Tokyo and Chiba", branches=[tokyo], prefectures=["12", "11"])
    page = client_for(sesps).get("/admin/safety/safetycheck/").content.decode()
    assert "every branch · every prefecture" in page and "Tokyo · Saitama, Chiba" in page
    assert "Well-being check-ins: branch averages" in page
