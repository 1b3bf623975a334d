"""Branch staff open a request for an ALT who phoned: the ALT follows it in the portal like their own."""

import uuid

import pytest
from django.urls import reverse

from contacts.models import Notification
from support.models import Category, Status, SupportRequest, Urgency

ADD = reverse("admin:support_supportrequest_add")


def _data(alt, **overrides):
    return {
        "alt": alt.pk,
        "category": Category.HOUSING,
        "urgency": Urgency.HIGH,
        "subject": "No hot water",
        "details": "Called at 9: the water heater shows error 12.",
        "assign_to_me": "on",
        "token": str(uuid.uuid4()),
        **overrides,
    }


def test_the_add_page_offers_only_the_branchs_alts(client_for, staff_tokyo, alt_tokyo, alt_osaka):
    response = client_for(staff_tokyo).get(ADD)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{alt_tokyo.pk}"' in page
    assert f'<option value="{alt_osaka.pk}"' not in page


def test_staff_open_a_request_for_a_tokyo_alt_who_follows_it_in_the_portal(
    client_for, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_tokyo).post(ADD, _data(alt_tokyo))
    support_request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:support_supportrequest_change", args=[support_request.pk])
    change_page = client_for(staff_tokyo).get(response["Location"]).content.decode()
    assert "opened by staff" in change_page.lower() and staff_tokyo.get_full_name() in change_page
    assert support_request.alt == alt_tokyo
    assert support_request.branch == alt_tokyo.alt_profile.branch
    assert support_request.opened_by == staff_tokyo
    assert support_request.assignee == staff_tokyo
    assert support_request.status == Status.IN_PROGRESS
    assert support_request.due_at > support_request.created
    # Who did it is in the request's history.
    assert support_request.history.get().history_user == staff_tokyo
    # The ALT is emailed the reference, and told who opened it.
    to_alt = next(mail for mail in mailoutbox if mail.to == [alt_tokyo.email])
    assert support_request.reference in to_alt.body
    assert "has opened this request for you" in to_alt.body
    # ... and finds it in the portal.
    page = client_for(alt_tokyo).get(support_request.get_absolute_url()).content.decode()
    assert "No hot water" in page
    assert f"opened for you by {staff_tokyo.display_name}" in page


def test_without_assigning_it_goes_to_the_alts_mc(client_for, staff_tokyo, alt_tokyo, mc_tokyo):
    data = _data(alt_tokyo)
    del data["assign_to_me"]
    client_for(staff_tokyo).post(ADD, data)
    support_request = SupportRequest.objects.get()
    assert support_request.assignee == mc_tokyo
    assert support_request.status == Status.NEW


def test_the_same_form_sent_twice_opens_one_request(client_for, staff_tokyo, alt_tokyo):
    client, data = client_for(staff_tokyo), _data(alt_tokyo)
    first, second = client.post(ADD, data), client.post(ADD, data)
    assert SupportRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_another_branchs_alt_is_refused_on_the_form(client_for, staff_tokyo, alt_osaka):
    response = client_for(staff_tokyo).post(ADD, _data(alt_osaka))
    assert response.status_code == 200  # the admin shows the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    assert not SupportRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_scheduler_cannot_open_a_wellbeing_request_the_mc_can(client_for, staff_tokyo, mc_tokyo, alt_tokyo):
    response = client_for(staff_tokyo).post(ADD, _data(alt_tokyo, category=Category.WELLBEING))
    assert "is opened by the ALT&#x27;s Managing Consultant" in response.content.decode()
    assert not SupportRequest.objects.exists()
    response = client_for(mc_tokyo).post(ADD, _data(alt_tokyo, category=Category.WELLBEING))
    assert response.status_code == 302
    assert SupportRequest.objects.get().is_confidential


@pytest.mark.parametrize("who", ["trainer_tokyo", "alt_tokyo"])
def test_people_without_the_permission_cannot_open_requests(client_for, request, who, alt_tokyo):
    client = client_for(request.getfixturevalue(who))
    assert client.get(ADD).status_code in (302, 403)
    assert client.post(ADD, _data(alt_tokyo)).status_code in (302, 403)
    assert not SupportRequest.objects.exists()


def test_missing_fields_are_named_and_nothing_is_saved(client_for, staff_tokyo, alt_tokyo):
    response = client_for(staff_tokyo).post(ADD, _data(alt_tokyo, subject="", details=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() >= {"subject", "details"}
    assert not SupportRequest.objects.exists()


def test_a_category_of_the_placement_phase_is_refused_on_the_form(client_for, staff_tokyo, alt_tokyo):
    response = client_for(staff_tokyo).post(ADD, _data(alt_tokyo, category=Category.VISA))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SupportRequest.objects.exists()
