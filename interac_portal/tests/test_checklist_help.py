"""'Ask for help' on an arrival checklist step: the support form opens with category and subject filled
in, the request is tied to the step, and once it is resolved the dashboard offers to tick the step."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from interac_portal import checklist_help
from interac_portal.checks import check_checklist_support_categories
from interac_portal.models import ChecklistHelp
from interac_portal.selectors import checklist_help_requests
from onboarding.models import ChecklistItem, Stage
from onboarding.services import checklist_create_for_alt
from support.models import Status, SupportRequest
from support.services import support_request_set_status
from testing.onboarding import PlacementFactory
from testing.support import SupportRequestFactory

JAPAN = ZoneInfo("Asia/Tokyo")


def help_url(kind):
    return reverse("checklist_help", args=[kind])


@pytest.fixture
def arrived(alt_tokyo, tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    checklist_create_for_alt(alt_id=alt_tokyo.pk)
    return alt_tokyo


def send_request(client, category, subject):
    data = {
        "category": category,
        "subject": subject,
        "details": "Can someone come with me?",
        "urgency": "NORMAL",
        "submit_token": str(uuid.uuid4()),
    }
    response = client.post(reverse("support:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SupportRequest.objects.order_by("-pk").first()


# --- the mapping and its system check -------------------------------------------------------


def test_every_step_maps_to_a_support_category_that_exists():
    assert check_checklist_support_categories() == []


def test_the_check_fails_on_a_category_support_does_not_have(monkeypatch):
    monkeypatch.setitem(checklist_help.CHECKLIST_SUPPORT_CATEGORIES, "CITY_HALL", "TOWN_HALL")
    monkeypatch.setitem(checklist_help.CHECKLIST_SUPPORT_CATEGORIES, "SKYDIVING", "OTHER")
    ids = [problem.id for problem in check_checklist_support_categories()]
    assert ids == ["interac_portal.E002", "interac_portal.E001"]


def test_a_step_left_unmapped_is_a_warning(monkeypatch):
    monkeypatch.delitem(checklist_help.CHECKLIST_SUPPORT_CATEGORIES, "MEET_MC")
    assert [problem.id for problem in check_checklist_support_categories()] == ["interac_portal.W001"]


# --- asking -----------------------------------------------------------------------------------


def test_asking_opens_the_support_form_filled_in(client_for, arrived):
    client = client_for(arrived)
    checklist = client.get(reverse("onboarding:index")).content.decode()
    assert f'action="{help_url("CITY_HALL")}"' in checklist
    response = client.post(help_url("CITY_HALL"))
    assert response.status_code == 302
    assert response["Location"] == "/support/new/?category=CITY_HALL&subject=Register+your+address+at+city+hall"
    form = client.get(response["Location"]).content.decode()
    assert '<option value="CITY_HALL" selected>' in form
    assert 'value="Register your address at city hall"' in form
    ask = ChecklistHelp.objects.get()
    assert (ask.item.kind, ask.category) == ("CITY_HALL", "CITY_HALL")


def test_a_step_maps_to_its_own_category(client_for, arrived):
    response = client_for(arrived).post(help_url("PENSION"))
    assert "category=MUNICIPAL" in response["Location"]


def test_a_japanese_speaker_gets_the_subject_in_japanese(client_for, arrived):
    arrived.preferred_language = "ja"
    arrived.save()
    response = client_for(arrived).post(help_url("BANK_ACCOUNT"))
    assert "category=BANK_ACCOUNT" in response["Location"]
    assert ChecklistHelp.objects.get().subject == "銀行口座を開設する"


def test_asking_needs_a_post_an_arrived_alt_and_a_real_step(client_for, arrived, applicant, staff_tokyo):
    assert client_for(arrived).get(help_url("CITY_HALL")).status_code == 405
    assert client_for(arrived).post(help_url("SKYDIVING")).status_code == 404
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT)
    assert client_for(applicant).post(help_url("CITY_HALL")).status_code == 404
    assert client_for(staff_tokyo).post(help_url("CITY_HALL")).status_code == 404
    assert not ChecklistHelp.objects.exists()


def test_prefill_that_is_not_a_category_is_ignored(client_for, arrived):
    # A NUL character is refused at the door, before any view (core.middleware).
    assert client_for(arrived).get(reverse("support:new"), {"subject": "hi\x00"}).status_code == 400
    response = client_for(arrived).get(reverse("support:new"), {"category": "NOPE", "subject": "<b>hi</b>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="" selected>' in page
    assert "<b>hi</b>" not in page


# --- the request it led to, and ticking the step -------------------------------------------


def test_resolving_the_request_offers_to_tick_the_step_on_the_dashboard(client_for, arrived, staff_tokyo):
    client = client_for(arrived)
    client.post(help_url("CITY_HALL"))
    support_request = send_request(client, "CITY_HALL", "Register your address at city hall")
    (row,) = checklist_help_requests(alt_id=arrived.pk)
    assert (row.step.kind, row.support_request, row.resolved) == ("CITY_HALL", support_request, False)
    assert 'data-testid="checklist-help-resolved"' not in client.get("/").content.decode()

    support_request_set_status(support_request=support_request, status=Status.RESOLVED, by=staff_tokyo)
    page = client.get("/").content.decode()
    offer = page.split('data-testid="checklist-help-resolved"')[1].split("</section>")[0]
    assert f"Your request {support_request.reference} about “Register your address at city hall” is resolved" in offer
    response = client.post(reverse("onboarding:checklist_tick", args=["CITY_HALL"]), {"done": "on", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert ChecklistItem.objects.get(alt=arrived, kind="CITY_HALL").done_at is not None
    assert 'data-testid="checklist-help-resolved"' not in client.get("/").content.decode()


def test_ticking_never_sends_the_alt_to_another_site(client_for, arrived):
    response = client_for(arrived).post(
        reverse("onboarding:checklist_tick", args=["CITY_HALL"]), {"done": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("onboarding:index") + "#checklist"


def test_only_a_request_sent_soon_after_asking_and_in_that_category_is_tied_to_the_step(
    arrived, time_machine, client_for
):
    time_machine.move_to(datetime(2026, 6, 1, 9, 55, tzinfo=JAPAN), tick=False)
    SupportRequestFactory(alt=arrived, category="CITY_HALL", status=Status.RESOLVED)  # before asking
    time_machine.move_to(datetime(2026, 6, 1, 10, 0, tzinfo=JAPAN), tick=False)
    client_for(arrived).post(help_url("CITY_HALL"))
    time_machine.move_to(datetime(2026, 6, 1, 10, 5, tzinfo=JAPAN), tick=False)
    SupportRequestFactory(alt=arrived, category="HOUSING", status=Status.RESOLVED)  # another category
    assert checklist_help_requests(alt_id=arrived.pk) == []
    time_machine.move_to(datetime(2026, 6, 2, 10, 5, tzinfo=JAPAN), tick=False)
    SupportRequestFactory(alt=arrived, category="CITY_HALL", status=Status.RESOLVED)  # a day and more later
    assert checklist_help_requests(alt_id=arrived.pk) == []
    ChecklistHelp.objects.update(asked_at=ChecklistHelp.objects.get().asked_at + timedelta(hours=2))
    assert [row.support_request.created.day for row in checklist_help_requests(alt_id=arrived.pk)] == [2]


def test_another_alts_request_is_never_tied_to_the_step(arrived, alt_osaka, osaka, client_for):
    client_for(arrived).post(help_url("CITY_HALL"))
    SupportRequestFactory(alt=alt_osaka, category="CITY_HALL", status=Status.RESOLVED)
    assert checklist_help_requests(alt_id=arrived.pk) == []


def test_branch_staff_see_which_step_a_request_came_from(client_for, arrived, staff_tokyo, staff_osaka):
    client = client_for(arrived)
    client.post(help_url("BANK_ACCOUNT"))
    support_request = send_request(client, "BANK_ACCOUNT", "Open a bank account")
    changelist = reverse("admin:interac_portal_checklisthelp_changelist")
    page = client_for(staff_tokyo).get(changelist).content.decode()
    assert support_request.reference in page and "Open a bank account" in page
    assert support_request.reference not in client_for(staff_osaka).get(changelist).content.decode()


@pytest.mark.parametrize("asks", [1, 5])
def test_the_dashboard_costs_the_same_queries_with_more_asks(client_for, arrived, asks, django_assert_max_num_queries):
    client = client_for(arrived)
    for kind in list(checklist_help.CHECKLIST_SUPPORT_CATEGORIES)[:asks]:
        client.post(help_url(kind))
        SupportRequestFactory(alt=arrived, category=checklist_help.support_category_for(kind), status=Status.RESOLVED)
    page = client.get("/").content.decode()
    assert page.count("is resolved: mark the step done?") >= 1
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200
