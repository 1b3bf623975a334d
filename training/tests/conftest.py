from datetime import timedelta

import pytest
from django.utils import timezone

from testing.training import TrainingSessionFactory
from training.models import TrainingSession


@pytest.fixture
def tokyo_session(tokyo, trainer_tokyo):
    """An optional Tokyo branch training a week ahead, deadline the day before."""
    return TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Tokyo classroom skills")


@pytest.fixture
def osaka_session(osaka, trainer_osaka):
    return TrainingSessionFactory(branch=osaka, trainer=trainer_osaka, title="Osaka team teaching")


@pytest.fixture
def orientation(sesps):
    """A national flagship orientation in ten days, open to every placed ALT who has arrived."""
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    return TrainingSessionFactory(
        kind=TrainingSession.Kind.INITIAL_ORIENTATION,
        track=TrainingSession.Track.FLAGSHIP,
        branch=None,
        trainer=sesps,
        title="Flagship orientation",
        start=start,
        end=start + timedelta(hours=7),
        capacity=40,
    )
