from datetime import timedelta

import factory
from django.utils import timezone

from training.models import Registration, TrainingSession


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A branch training session a week ahead; pass branch=None and kind=INITIAL_ORIENTATION for national."""

    class Meta:
        model = TrainingSession

    kind = TrainingSession.Kind.BRANCH_TRAINING
    track = factory.LazyAttribute(lambda o: TrainingSession.Track.FLAGSHIP if o.kind == "INITIAL_ORIENTATION" else "")
    title = factory.Sequence(lambda n: f"Session {n}")
    branch = None
    start = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=7)).replace(microsecond=0))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))
    place = "Meeting room A"
    capacity = 10
    required = False
    registration_deadline = factory.LazyAttribute(lambda o: o.start - timedelta(days=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(TrainingSessionFactory)
    alt = None
    status = Registration.Status.REGISTERED
