"""Attended / required over the last 12 months: for the ALT, their MC, and in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile
from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training import selectors

RECORDS = reverse("admin:training_alttrainingrecord_changelist")


def _history(alt, branch):
    """Two required attended, one required absent, one required excused, one optional attended,
    one required attended 13 months ago, one cancelled, one upcoming."""
    now = timezone.now()
    rows = [
        (now - timedelta(days=10), True, "ATTENDED", "SCHEDULED"),
        (now - timedelta(days=40), True, "ATTENDED", "SCHEDULED"),
        (now - timedelta(days=70), True, "ABSENT", "SCHEDULED"),
        (now - timedelta(days=80), True, "EXCUSED", "SCHEDULED"),
        (now - timedelta(days=90), False, "ATTENDED", "SCHEDULED"),
        (now - timedelta(days=400), True, "ATTENDED", "SCHEDULED"),
        (now - timedelta(days=20), True, "ABSENT", "CANCELLED"),
        (now + timedelta(days=20), True, "REGISTERED", "SCHEDULED"),
    ]
    for start, required, status, session_status in rows:
        session = TrainingSessionFactory(
            branch=branch, start=start, required=required, status=session_status, registration_deadline=None
        )
        RegistrationFactory(session=session, alt=alt, status=status)


def test_the_record_counts_required_sessions_of_the_last_12_months(alt_tokyo, tokyo):
    _history(alt_tokyo, tokyo)
    record = selectors.record_from_registrations(selectors.training_history_for_alt(user_id=alt_tokyo.pk))
    assert (record.attended, record.required, record.absent, record.excused) == (2, 3, 1, 1)
    assert record.attended_total == 3
    annotated = selectors.alt_profiles_with_record(AltProfile.objects.filter(user=alt_tokyo)).get()
    assert (annotated.record_attended, annotated.record_required) == (2, 3)
    assert (annotated.record_absent, annotated.record_excused) == (1, 1)


def test_the_alt_sees_their_record(client_for, alt_tokyo, tokyo):
    _history(alt_tokyo, tokyo)
    page = client_for(alt_tokyo).get(reverse("training:index")).content.decode()
    assert "Required sessions attended in the last 12 months: <strong>2 of 3</strong>" in page


def test_the_mc_sees_the_records_of_their_branch_only(client_for, mc_tokyo, alt_tokyo, alt_osaka, tokyo, osaka):
    _history(alt_tokyo, tokyo)
    _history(alt_osaka, osaka)
    client = client_for(mc_tokyo)
    page = client.get(RECORDS).content.decode()
    assert "alt.tokyo@example.com" in page and "2 / 3" in page
    assert "alt.osaka@example.com" not in page
    page = client.get(RECORDS + "?mc=me").content.decode()
    assert "alt.tokyo@example.com" in page
    osaka_record = AltProfile.objects.get(user=alt_osaka).pk
    assert client.get(reverse("admin:training_alttrainingrecord_change", args=[osaka_record])).status_code == 404
    detail = client.get(
        reverse("admin:training_alttrainingrecord_change", args=[AltProfile.objects.get(user=alt_tokyo).pk])
    )
    assert detail.status_code == 200
    assert "Absent" in detail.content.decode()


def test_staff_without_the_permission_do_not_see_records(client_for, staff_tokyo):
    assert client_for(staff_tokyo).get(RECORDS).status_code == 403


@pytest.mark.parametrize("n", [1, 50])
def test_the_record_list_takes_the_same_queries_for_1_or_50_alts(
    client_for, sesps, tokyo, n, django_assert_max_num_queries
):
    for _ in range(n):
        alt = make_alt(branch=tokyo)
        session = TrainingSessionFactory(branch=tokyo, start=timezone.now() - timedelta(days=3), required=True)
        RegistrationFactory(session=session, alt=alt, status="ATTENDED")
    client = client_for(sesps)
    client.get(RECORDS)
    with django_assert_max_num_queries(10):
        response = client.get(RECORDS)
    assert response.content.decode().count("1 / 1") == n
