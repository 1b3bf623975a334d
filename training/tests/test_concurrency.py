"""Capacity, withdrawal and the waiting list when many ALTs act at once (PostgreSQL row locks)."""

import pytest

from contacts.outbox import notifications_deliver_pending
from testing.concurrency import run_together as _run_together
from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training import services
from training.models import Registration

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_many_concurrent_registrations_never_exceed_the_capacity(postgres, tokyo):
    session = TrainingSessionFactory(branch=tokyo, capacity=5)
    alts = [make_alt(branch=tokyo, email=f"alt{i}@example.com") for i in range(24)]
    errors = _run_together(
        [lambda p=alt.alt_profile: services.registration_create(profile=p, session_id=session.pk) for alt in alts]
    )
    assert errors == []
    assert Registration.objects.filter(session=session, status="REGISTERED").count() == 5
    waitlisted = Registration.objects.filter(session=session, status="WAITLISTED")
    assert sorted(waitlisted.values_list("waitlist_position", flat=True)) == list(range(1, 20))


def test_concurrent_withdrawals_promote_the_waiting_list_in_order(postgres, tokyo, mailoutbox):
    session = TrainingSessionFactory(branch=tokyo, capacity=4, title="Phonics")
    holders = [make_alt(branch=tokyo, email=f"holder{i}@example.com") for i in range(4)]
    waiting = [make_alt(branch=tokyo, email=f"waiting{i}@example.com") for i in range(6)]
    for alt in holders + waiting:
        services.registration_create(profile=alt.alt_profile, session_id=session.pk)
    errors = _run_together(
        [lambda alt=alt: services.registration_withdraw(alt=alt, session_id=session.pk) for alt in holders]
    )
    assert errors == []
    registered = set(
        Registration.objects.filter(session=session, status="REGISTERED").values_list("alt__email", flat=True)
    )
    assert registered == {f"waiting{i}@example.com" for i in range(4)}
    still_waiting = Registration.objects.filter(session=session, status="WAITLISTED").order_by("waitlist_position")
    assert list(still_waiting.values_list("alt__email", flat=True)) == ["waiting4@example.com", "waiting5@example.com"]
    # Each withdrawal's commit sent its email; the sweep sends any a worker would still find.
    notifications_deliver_pending()
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        (f"waiting{i}@example.com", "A place is yours: Phonics") for i in range(4)
    ]
    services.registration_create(profile=make_alt(branch=tokyo).alt_profile, session_id=session.pk)
    assert Registration.objects.filter(session=session, status="REGISTERED").count() == 4


def test_registration_and_withdrawal_racing_keep_the_capacity(postgres, tokyo):
    session = TrainingSessionFactory(branch=tokyo, capacity=3)
    holders = [make_alt(branch=tokyo) for _ in range(3)]
    for alt in holders:
        RegistrationFactory(session=session, alt=alt)
    newcomers = [make_alt(branch=tokyo) for _ in range(8)]
    jobs = [lambda alt=alt: services.registration_withdraw(alt=alt, session_id=session.pk) for alt in holders]
    jobs += [
        lambda p=alt.alt_profile: services.registration_create(profile=p, session_id=session.pk) for alt in newcomers
    ]
    assert _run_together(jobs) == []
    assert Registration.objects.filter(session=session, status="REGISTERED").count() == 3
    assert Registration.objects.filter(session=session, status="WAITLISTED").count() == 5


def test_a_double_click_makes_one_registration(postgres, alt_tokyo, tokyo):
    session = TrainingSessionFactory(branch=tokyo, capacity=5)
    profile = alt_tokyo.alt_profile
    errors = _run_together([lambda: services.registration_create(profile=profile, session_id=session.pk)] * 6)
    assert errors == []
    assert Registration.objects.filter(session=session).count() == 1
