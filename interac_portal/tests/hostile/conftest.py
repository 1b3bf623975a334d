import pytest

# The security tests' small portal with something of everything, and a fresh media directory per test.
from ..security.conftest import media_root, world  # noqa: F401


@pytest.fixture
def rows(world, tokyo):  # noqa: F811 (the imported fixture, asked for by name)
    """The world, with a row of every admin's model: a change form, history and delete page for each."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from interac_portal.services import checklist_help_ask
    from onboarding.models import Placement, PlacementEvent, Stage
    from onboarding.services import checklist_create_for_alt, handover_open
    from support.models import CannedReply, OnCallShift
    from testing.contacts import NotificationFactory

    owner, mc = world.people["owner"], world.people["mc"]
    CannedReply.objects.create(category="HOUSING", branch=tokyo, title="Landlord", body="Call the landlord.")
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True)
    NotificationFactory(recipient=owner)
    checklist_create_for_alt(alt_id=owner.pk)
    checklist_help_ask(alt=owner, kind="BANK_ACCOUNT")
    placement = Placement.objects.get(alt=owner)
    event = PlacementEvent.objects.create(
        placement=placement, from_stage=Stage.PLACEMENT, to_stage=Stage.CONFIRMED, by=world.people["grm"]
    )
    handover_open(placement=placement, event=event, mc=mc)
    tonight = timezone.now().replace(microsecond=0) + timedelta(days=1)
    OnCallShift.objects.create(branch=tokyo, person=mc, starts_at=tonight, ends_at=tonight + timedelta(hours=12))
    world.complete_readings()
    return world
