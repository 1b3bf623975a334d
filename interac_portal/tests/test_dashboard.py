from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import StaffRole
from onboarding.models import Placement, Stage
from onboarding.services.checklist import checklist_create_for_alt
from testing.contacts import make_staff
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_alt_is_greeted_with_branch_and_support_team(client_for, alt_tokyo):
    page = client_for(alt_tokyo).get("/").content.decode()
    assert f"Welcome, {alt_tokyo.first_name}" in page
    assert "Your branch: Tokyo" in page
    assert "My support team" in page
    assert "090-0000-1999" in page


def test_applicant_is_told_the_branch_will_follow(client_for, applicant):
    page = client_for(applicant).get("/").content.decode()
    assert "Your placement is being arranged" in page


def test_staff_get_a_link_to_the_admin(client_for, staff_tokyo):
    page = client_for(staff_tokyo).get("/").content.decode()
    assert reverse("admin:index") in page


@pytest.mark.parametrize("extra", [1, 20])
def test_dashboard_query_count_is_constant(client_for, alt_tokyo, tokyo, extra, django_assert_max_num_queries):
    """Every card's rows grow: requests, registrations, checklist steps, colleagues; the queries do not."""
    Placement.objects.create(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    checklist_create_for_alt(alt_id=alt_tokyo.pk)
    for n in range(extra):
        make_staff(role=StaffRole.Role.SCHEDULER, branch=tokyo, email=f"s{n}@example.com")
        SupportRequestFactory(alt=alt_tokyo, subject=f"Request {n}")
        session = TrainingSessionFactory(branch=tokyo, start=timezone.now() + timedelta(days=2 + n))
        RegistrationFactory(session=session, alt=alt_tokyo)
    client = client_for(alt_tokyo)
    page = client.get("/").content.decode()
    assert f"{extra} open request" in page and "Your next session" in page  # the cards are there, with the rows
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_the_admin_pages_carry_the_counselling_line_and_the_language_switch(client_for, staff_tokyo):
    client = client_for(staff_tokyo)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("contacts:wellbeing") in page
    assert f'action="{reverse("contacts:set_language")}"' in page and 'value="ja"' in page
    response = client.post(reverse("contacts:set_language"), {"language": "ja", "next": reverse("admin:index")})
    assert response["Location"] == reverse("admin:index")
    assert '<html lang="ja"' in client.get(reverse("admin:index")).content.decode()


def test_the_navigation_links_each_section_under_the_portals_mount_point(client_for, alt_tokyo, staff_tokyo):
    from django.urls import set_script_prefix

    sections = ["/onboarding/", "/training/", "/support/", "/contacts/", "/contacts/wellbeing/", "/accounts/logout/"]
    page = client_for(alt_tokyo).get("/").content.decode()
    assert all(f'href="{url}"' in page or f'action="{url}"' in page for url in sections)
    assert 'href="/admin/"' not in page
    assert 'href="/admin/"' in client_for(staff_tokyo).get("/").content.decode()
    try:
        # Mounted at /portal/ (what the WSGI handler sets for SCRIPT_NAME), every link carries it.
        set_script_prefix("/portal/")
        page = client_for(alt_tokyo).get("/").content.decode()
    finally:
        set_script_prefix("/")
    assert all(f'href="/portal{url}"' in page or f'action="/portal{url}"' in page for url in sections)
    assert 'action="/portal/contacts/language/"' in page
