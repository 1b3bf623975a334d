import pytest
from django.test import Client

from .world import build_world


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attachments go to a fresh directory per test, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(tokyo, osaka, alt_tokyo, alt_osaka, mc_tokyo, staff_tokyo, trainer_tokyo, grm, sesps):
    return build_world(
        tokyo=tokyo,
        osaka=osaka,
        alt_tokyo=alt_tokyo,
        alt_osaka=alt_osaka,
        mc_tokyo=mc_tokyo,
        staff_tokyo=staff_tokyo,
        trainer_tokyo=trainer_tokyo,
        grm=grm,
        sesps=sesps,
    )


def client_as(user, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client
