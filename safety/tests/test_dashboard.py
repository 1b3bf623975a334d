"""The dashboard's buttons: "I'm safe" / "I need help" until the ALT answers; the urgent request; closed checks."""

import pytest
from django.urls import reverse

from contacts.models import StaffRole
from onboarding.models import Placement, Stage
from safety.models import Channel, SafetyAnswerChange
from safety.services import safety_check_close
from support.models import SupportRequest, Urgency
from testing.contacts import make_staff
from testing.support import SupportRequestFactory

from .factories import answer_of, start_check


def test_the_dashboard_shows_the_check_with_both_buttons_until_the_alt_answers(client_for, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    client = client_for(alt_tokyo)
    page = client.get("/").content.decode()
    assert "Earthquake in Kanto" in page
    assert f'action="{reverse("safety:answer", args=[check.pk])}"' in page
    assert "I'm safe</button>" in page and "I need help</button>" in page
    response = client.post(reverse("safety:answer", args=[check.pk]), {"status": "SAFE"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "Your branch can see that you are safe" in page
    assert "Earthquake in Kanto" not in page
    answer = answer_of(check, alt_tokyo)
    assert (answer.status, answer.channel) == ("SAFE", Channel.DASHBOARD)


def test_i_need_help_opens_an_urgent_request_that_the_branch_sees_in_its_admin_list(
    client_for,
    sesps,
    settled,
    alt_tokyo,
    tokyo,
    staff_tokyo,
    staff_osaka,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    check = start_check(by=sesps)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alt_tokyo).post(
            reverse("safety:answer", args=[check.pk]), {"status": "NEED_HELP", "note": "My door is stuck."}
        )
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert (request.alt, request.branch, request.urgency) == (alt_tokyo, tokyo, Urgency.URGENT)
    assert request.subject == "I need help: Earthquake in Kanto (safety check)"
    assert "My door is stuck." in request.details
    tokyo_list = client_for(staff_tokyo).get("/admin/support/supportrequest/").content.decode()
    assert request.reference in tokyo_list
    assert request.reference not in client_for(staff_osaka).get("/admin/support/supportrequest/").content.decode()
    # The branch is told by email, as for any new urgent request; the ALT gets the reference.
    assert any(request.reference in message.subject for message in mailoutbox if message.to != [alt_tokyo.email])
    assert any(request.reference in message.body for message in mailoutbox if message.to == [alt_tokyo.email])


def test_an_answer_to_a_closed_check_says_it_is_closed_and_changes_nothing(client_for, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    client = client_for(alt_tokyo)
    assert "Earthquake in Kanto" in client.get("/").content.decode()
    safety_check_close(check=check, by=sesps)
    response = client.post(reverse("safety:answer", args=[check.pk]), {"status": "NEED_HELP", "note": "help"})
    assert response.status_code == 409
    assert "This safety check is closed" in response.content.decode()
    assert answer_of(check, alt_tokyo).status == "NO_ANSWER"
    assert not SafetyAnswerChange.objects.exists() and not SupportRequest.objects.exists()
    assert "Earthquake in Kanto" not in client.get("/").content.decode()


def test_a_check_that_did_not_ask_the_alt_answers_404(client_for, sesps, settled, alt_tokyo, alt_osaka, osaka):
    check = start_check(by=sesps, branches=[osaka])
    assert "Earthquake in Kanto" not in client_for(alt_tokyo).get("/").content.decode()
    response = client_for(alt_tokyo).post(reverse("safety:answer", args=[check.pk]), {"status": "SAFE"})
    assert response.status_code == 404
    assert answer_of(check, alt_osaka).status == "NO_ANSWER"


def test_answering_takes_a_post(client_for, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    assert client_for(alt_tokyo).get(reverse("safety:answer", args=[check.pk])).status_code == 405


def test_no_answer_chosen_is_told_and_nothing_changes(client_for, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    response = client_for(alt_tokyo).post(reverse("safety:answer", args=[check.pk]), {"note": "hello"})
    assert response.status_code == 422 and "Please tap" in response.content.decode()
    assert answer_of(check, alt_tokyo).status == "NO_ANSWER"


@pytest.mark.parametrize("extra", [1, 12])
def test_the_dashboard_query_count_stays_the_same_with_the_safety_card(
    client_for, sesps, settled, alt_tokyo, tokyo, extra, django_assert_max_num_queries
):
    """Open checks waiting for an answer, answered ones and requests grow; the queries do not."""
    Placement.objects.create(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    for n in range(extra):
        start_check(by=sesps, title=f"Check {n}")
        answered = start_check(by=sesps, title=f"Answered {n}")
        answer = answer_of(answered, alt_tokyo)
        answer.status = "SAFE"
        answer.save()
        make_staff(role=StaffRole.Role.SCHEDULER, branch=tokyo, email=f"s{n}@example.com")
        SupportRequestFactory(alt=alt_tokyo, subject=f"Request {n}")
    client = client_for(alt_tokyo)
    page = client.get("/").content.decode()
    assert f"Check {extra - 1}" in page and "Answered 0" not in page
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200
