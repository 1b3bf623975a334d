"""Applicants ask GRM: before a branch is confirmed the request goes to the ALT's GRM contact (or every GRM
person), who triages it in the admin; branch staff never see it, even after the branch is confirmed."""

import re
import uuid

from django.urls import reverse

from contacts.models import StaffRole
from support.models import Category, Status, SupportRequest, Urgency
from support.selectors import support_requests_open_with_grm
from testing.contacts import make_alt, make_staff
from testing.forms import change_form_data
from testing.support import SupportRequestFactory

NEW = reverse("support:new")
CHANGELIST = reverse("admin:support_supportrequest_changelist")


def change_url(support_request):
    return reverse("admin:support_supportrequest_change", args=[support_request.pk])


def _data(**overrides):
    return {
        "category": Category.VISA,
        "subject": "When does my certificate of eligibility arrive?",
        "details": "I sent my documents three weeks ago.",
        "urgency": Urgency.NORMAL,
        "submit_token": str(uuid.uuid4()),
        **overrides,
    }


def test_the_applicant_form_offers_the_questions_of_the_placement_phase(client_for, applicant):
    response = client_for(applicant).get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    offered = re.findall(r'<option value="([A-Z_]+)"', page.split('name="urgency"')[0])
    assert offered == ["VISA", "DOCUMENTS", "FLIGHTS", "CONTRACT_PAY", "OTHER"]
    assert "goes to the recruiting team (GRM)" in page
    for label in ["Category", "Subject", "Details", "Urgency", "Attachment"]:
        assert re.search(rf"<label[^>]*>\s*{label}\b", page), label
    assert 'id="urgent-note"' not in page  # no branch emergency number yet


def test_an_applicants_request_goes_to_their_grm_contact(
    client_for, applicant, grm, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant).post(NEW, _data())
    support_request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert support_request.branch is None and support_request.is_with_grm
    assert support_request.assignee == grm
    # Head office hours: 3 office days from Monday 10:00.
    assert f"{support_request.due_at:%Y-%m-%d %H:%M}" == "2026-06-04 01:00"
    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "alt.applicant@example.com",
        "grm@example.com",
    ]
    to_alt = next(mail for mail in mailoutbox if mail.to == ["alt.applicant@example.com"])
    assert "recruiting team (GRM)" in to_alt.body
    page = client_for(applicant).get(reverse("support:sent", args=[support_request.pk])).content.decode()
    assert "The recruiting team (GRM) aims to answer" in page


def test_without_a_grm_contact_every_grm_person_is_told(
    client_for, grm, mailoutbox, django_capture_on_commit_callbacks
):
    other_grm = make_staff(role=StaffRole.Role.GRM, email="grm2@example.com")
    applicant = make_alt(branch=None, grm=None, email="new.applicant@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(applicant).post(NEW, _data())
    assert SupportRequest.objects.get().assignee is None
    told = sorted(address for mail in mailoutbox for address in mail.to if address != applicant.email)
    assert told == sorted([grm.email, other_grm.email])


def test_grm_finds_it_in_the_admin_and_branch_staff_do_not(
    client_for, applicant, grm, staff_tokyo, mc_tokyo, trainer_tokyo, sesps
):
    client_for(applicant).post(NEW, _data())
    support_request = SupportRequest.objects.get()
    page = client_for(grm).get(CHANGELIST).content.decode()
    assert f">{support_request.reference}</a>" in page
    assert client_for(grm).get(change_url(support_request)).status_code == 200
    for person in (staff_tokyo, mc_tokyo, trainer_tokyo, sesps):
        client = client_for(person)
        assert support_request.reference not in client.get(CHANGELIST).content.decode(), person.email
        assert client.get(change_url(support_request)).status_code == 404, person.email


def test_grm_does_not_see_the_branch_queue(client_for, grm, alt_tokyo):
    branch_request = SupportRequestFactory(alt=alt_tokyo)
    assert branch_request.reference not in client_for(grm).get(CHANGELIST).content.decode()
    assert client_for(grm).get(change_url(branch_request)).status_code == 404


def test_grm_replies_with_the_same_tools_and_the_applicant_reads_it(
    client_for, applicant, grm, mailoutbox, django_capture_on_commit_callbacks
):
    client_for(applicant).post(NEW, _data())
    support_request = SupportRequest.objects.get()
    client = client_for(grm)
    data = change_form_data(client, change_url(support_request))
    data.update(reply="It usually takes one to three months.", reply_visibility="reply")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(support_request), data).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    page = client_for(applicant).get(support_request.get_absolute_url()).content.decode()
    assert "It usually takes one to three months." in page
    assert "recruiting team (GRM)" in page
    reply = next(mail for mail in mailoutbox if mail.to == ["alt.applicant@example.com"] and "reply" in mail.subject)
    assert "from the recruiting team (GRM) replied" in reply.body


def test_grm_hands_it_on_only_within_grm(client_for, applicant, grm, staff_tokyo):
    other_grm = make_staff(role=StaffRole.Role.GRM, email="grm2@example.com")
    client_for(applicant).post(NEW, _data())
    support_request = SupportRequest.objects.get()
    page = client_for(grm).get(change_url(support_request)).content.decode()
    assert f'<option value="{other_grm.pk}">' in page
    assert f'<option value="{staff_tokyo.pk}"' not in page


def test_open_requests_stay_with_grm_after_the_branch_is_confirmed(
    client_for, applicant, grm, tokyo, mc_tokyo, staff_tokyo
):
    client_for(applicant).post(NEW, _data())
    with_grm = SupportRequest.objects.get()
    profile = applicant.alt_profile
    profile.branch, profile.managing_consultant = tokyo, mc_tokyo
    profile.save()
    # Still GRM's, until resolved; new requests now go to the branch and the MC.
    assert client_for(staff_tokyo).get(change_url(with_grm)).status_code == 404
    assert client_for(grm).get(change_url(with_grm)).status_code == 200
    client_for(applicant).post(NEW, _data(category=Category.BANK_ACCOUNT, subject="Bank account"))
    to_branch = SupportRequest.objects.exclude(pk=with_grm.pk).get()
    assert to_branch.branch == tokyo and to_branch.assignee == mc_tokyo
    assert support_requests_open_with_grm(alt_ids=[applicant.pk]) == {applicant.pk: [with_grm]}


def test_open_with_grm_is_one_query_for_many_alts(grm, django_assert_num_queries):
    alts = [make_alt(branch=None, grm=grm, email=f"a{i}@example.com") for i in range(5)]
    for alt in alts:
        SupportRequestFactory(alt=alt, category=Category.DOCUMENTS, assignee=grm)
        SupportRequestFactory(alt=alt, category=Category.FLIGHTS, status=Status.RESOLVED)
    with django_assert_num_queries(1):
        found = support_requests_open_with_grm(alt_ids=[alt.pk for alt in alts])
        names = {r.assignee.email for requests in found.values() for r in requests}
    assert set(found) == {alt.pk for alt in alts}
    assert all(len(requests) == 1 and requests[0].category == Category.DOCUMENTS for requests in found.values())
    assert names == {grm.email}
    with django_assert_num_queries(0):
        assert support_requests_open_with_grm(alt_ids=[]) == {}


def test_grm_recategorises_within_the_placement_phase(client_for, applicant, grm):
    client_for(applicant).post(NEW, _data())
    support_request = SupportRequest.objects.get()
    page = client_for(grm).get(change_url(support_request)).content.decode()
    assert '<option value="FLIGHTS">' in page
    assert '<option value="CITY_HALL">' not in page
