import pytest

# The security tests' small portal with something of everything, and a fresh media directory per test.
from ..security.conftest import media_root, world  # noqa: F401


@pytest.fixture
def rows(world, tokyo):  # noqa: F811 (the imported fixture, asked for by name)
    """The world, with a row of every admin's model: a change form, history and delete page for each."""
    from allauth.account.models import EmailAddress

    from onboarding.services import checklist_create_for_alt
    from support.models import CannedReply
    from testing.contacts import NotificationFactory

    owner = world.people["owner"]
    CannedReply.objects.create(category="HOUSING", branch=tokyo, title="Landlord", body="Call the landlord.")
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True)
    NotificationFactory(recipient=owner)
    checklist_create_for_alt(alt_id=owner.pk)
    world.complete_readings()
    return world
