import pytest
from django.urls import reverse

from contacts.models import StaffRole
from testing.contacts import make_staff

URL = reverse("contacts:support_team")


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_alt_sees_whole_team_with_emergency_number(client_for, alt_tokyo, staff_tokyo, trainer_tokyo, sesps):
    response = client_for(alt_tokyo).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for person in ["mc.tokyo@example.com", "staff.tokyo@example.com", "trainer.tokyo@example.com"]:
        assert person in page
    assert "sesps@example.com" in page
    assert "grm@example.com" in page
    assert "090-0000-1999" in page  # the branch's emergency number
    assert "Japan time" in page
    assert "Managing Consultant" in page
    assert "Closed on public holidays and company holidays such as the New Year break." in page


def test_alt_does_not_see_other_branch_staff(client_for, alt_tokyo, staff_osaka, trainer_osaka):
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "staff.osaka@example.com" not in page
    assert "trainer.osaka@example.com" not in page
    assert "090-0000-2999" not in page


def test_applicant_sees_grm_and_is_told_a_branch_team_will_follow(client_for, applicant, staff_tokyo, sesps):
    response = client_for(applicant).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "grm@example.com" in page
    assert "branch team" in page
    assert "staff.tokyo@example.com" not in page
    assert "sesps@example.com" not in page


def test_staff_and_outsiders_get_404(client_for, staff_tokyo, outsider):
    assert client_for(staff_tokyo).get(URL).status_code == 404
    assert client_for(outsider).get(URL).status_code == 404


def test_post_is_refused(client_for, alt_tokyo):
    assert client_for(alt_tokyo).post(URL).status_code == 405


def test_page_shows_in_japanese_for_a_japanese_speaker(client_for, alt_tokyo):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "東京支店" in page
    assert "サポートチーム" in page
    assert "年末年始などの会社の休業日は休みです" in page


@pytest.mark.parametrize("extra_staff", [1, 20])
def test_query_count_does_not_grow_with_staff(client_for, alt_tokyo, tokyo, django_assert_max_num_queries, extra_staff):
    for n in range(extra_staff):
        make_staff(role=StaffRole.Role.TRAINER, branch=tokyo, email=f"trainer{n}@example.com")
    client = client_for(alt_tokyo)
    client.get(URL)  # the first request of a session records activity (one write)
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200


def _card(page: str, email: str) -> str:
    """The contact card that holds `email`."""
    cards = [card for card in page.split('class="card h-100 contact-card"')[1:] if f"mailto:{email}" in card]
    assert len(cards) == 1, email
    return cards[0].split("</dl>")[0]


def test_each_person_shows_role_phone_email_and_hours_in_japan_time(
    client_for, alt_tokyo, mc_tokyo, trainer_tokyo, sesps, grm, tokyo
):
    from datetime import time

    tokyo.office_opens, tokyo.office_closes = time(8, 30), time(17, 15)
    tokyo.save()
    mc_tokyo.phone = "080-1111-2222"
    mc_tokyo.save()
    page = client_for(alt_tokyo).get(URL).content.decode()
    mc = _card(page, "mc.tokyo@example.com")
    assert "Managing Consultant" in mc and 'href="tel:080-1111-2222"' in mc
    assert "08:30–17:15" in mc and "(Japan time)" in mc
    trainer = _card(page, "trainer.tokyo@example.com")
    assert "Trainer" in trainer and "08:30–17:15" in trainer
    assert tokyo.phone and f'href="tel:{tokyo.phone}"' in trainer  # no phone of their own: the branch's
    national = _card(page, "sesps@example.com")
    assert "SESPS" in national and "09:00–18:00" in national and "(Japan time)" in national
    assert "GRM" in _card(page, "grm@example.com") or "recruit" in _card(page, "grm@example.com").lower()
