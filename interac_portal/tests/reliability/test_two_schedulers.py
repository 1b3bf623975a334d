"""Two schedulers at once (a second `celery beat` started by mistake): each reminder is sent once.

Two beat processes send every periodic task of the portal (the real schedule,
every task due each second) to two worker processes for RACE_ROUNDS rounds each, over
data that makes every task write emails: sessions a week and a day ahead,
overdue support requests, ALTs about to depart, emails left in the outbox.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Notification
from contacts.outbox import notification_message_id
from interac_portal.celery import app
from onboarding.models import Placement, Stage
from support.models import Status, SupportRequest
from testing.contacts import NotificationFactory, make_alt
from testing.onboarding import make_course
from testing.processes import PYTHON, Process, broker_idle, portal_env, sent_mails, start_worker, wait_for
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RACE_ROUNDS = 6  # times each scheduler sends each task (one a second)
SENT = "Sending due task send-session-reminders"


def _start_beat(tmp_path, name, broker_url) -> Process:
    args = [PYTHON, "-m", "celery", "-A", "interac_portal.tests.reliability.beat_app", "beat", "--loglevel", "INFO"]
    args += ["--schedule", str(tmp_path / f"{name}-schedule"), "--max-interval", "1"]
    return Process(name, args, portal_env(tmp_path, CELERY_BROKER_URL=broker_url), tmp_path)


def test_two_schedulers_send_each_reminder_once(postgres, tmp_path, broker_at, tokyo, osaka, mc_tokyo, trainer_tokyo):
    now = timezone.now()
    alts = [make_alt(branch=tokyo, mc=mc_tokyo, email=f"alt{n}.beat@example.com") for n in range(6)]
    in_a_week = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, start=now + timedelta(days=6, hours=12))
    tomorrow = TrainingSessionFactory(
        branch=tokyo, trainer=trainer_tokyo, start=now + timedelta(hours=20), registration_deadline=None
    )
    for alt in alts:
        RegistrationFactory(session=in_a_week, alt=alt)
        RegistrationFactory(session=tomorrow, alt=alt)
    for alt in alts[:3]:  # overdue support requests (the branch has an address: one notice each)
        SupportRequestFactory(alt=alt, created=now - timedelta(days=5), due_at=now - timedelta(hours=1))
    make_course()  # the current pre-departure course
    departure = now.date() + timedelta(days=20)  # the profile's: the invitations read it there
    leaving = [make_alt(branch=tokyo, email=f"leaving{n}@example.com", departure_date=departure) for n in range(3)]
    for alt in leaving:
        Placement.objects.create(alt=alt, stage=Stage.CONFIRMED, branch=tokyo)
    for n in range(3):  # left in the outbox while the broker was down
        NotificationFactory(recipient=alts[n], key=f"left-over:{n}")
    app.conf.task_always_eager = False

    workers = [start_worker(tmp_path, name=f"worker{n}", pool="prefork", concurrency=2, CELERY_BROKER_URL=broker_at.url)
               for n in (1, 2)]  # fmt: skip
    beats = [_start_beat(tmp_path, f"beat{n}", broker_at.url) for n in (1, 2)]
    try:
        # The race: both schedulers send every task, again and again, at the same time.
        assert wait_for(lambda: all(b.output().count(SENT) >= RACE_ROUNDS for b in beats), timeout=90), [
            b.output()[-2000:] for b in beats
        ]
        for beat in beats:
            beat.stop()

        def drained():
            pending = Notification.objects.exclude(status=Notification.Status.SENT).count()
            return pending == 0 and Notification.objects.count() > 0

        assert wait_for(drained, timeout=60), [w.output()[-2000:] for w in workers]
        # Anything still queued or running could send a duplicate: wait until nothing is.
        assert wait_for(lambda: broker_idle(broker_at.url, workers), timeout=60), [w.output()[-2000:] for w in workers]
    finally:
        for process in beats + workers:
            process.stop()

    # Both schedulers' tasks really ran, many times.
    runs = sum(len(re.findall(r"send_session_reminders\[\S+\] succeeded", w.output())) for w in workers)
    assert runs >= 2 * RACE_ROUNDS, runs

    notifications = list(Notification.objects.all())
    reminders = [n for n in notifications if n.kind == "training.reminder"]
    assert len(reminders) == 2 * len(alts)  # a week before and a day before, for each ALT
    assert Registration.objects.filter(reminded_7d_for__isnull=False).count() == len(alts)
    assert Registration.objects.filter(reminded_1d_for__isnull=False).count() == len(alts)
    assert len([n for n in notifications if n.kind == "support.overdue"]) == 3
    assert SupportRequest.objects.filter(status=Status.NEW, overdue_flagged_for__isnull=False).count() == 3
    # E-learning: one invitation per ALT, each leaving ALT invited; at most one nudge per ALT in this short run.
    invitations = Counter(n.recipient_id for n in notifications if n.kind == "onboarding.elearning_invitation")
    assert {alt.pk for alt in leaving} <= set(invitations) and set(invitations.values()) == {1}, invitations
    nudges = Counter(n.recipient_id for n in notifications if n.kind == "onboarding.elearning_nudge")
    assert set(nudges.values()) <= {1}, nudges
    # Every outbox row went out exactly once.
    mails = sent_mails(tmp_path / "mail")
    assert len(mails) == len(notifications)
    for notification in notifications:
        assert sum(notification_message_id(notification) in m for m in mails) == 1
