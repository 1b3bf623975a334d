from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from contacts.models import AltProfile, User

ACCOUNTS = [
    "admin@example.com",
    "grm@example.com",
    "sesps@example.com",
    "mc.tokyo@example.com",
    "staff.tokyo@example.com",
    "trainer.tokyo@example.com",
    "alt.tokyo@example.com",
    "mc.osaka@example.com",
    "staff.osaka@example.com",
    "trainer.osaka@example.com",
    "alt.osaka@example.com",
    "alt.predeparture@example.com",
    "alt.applicant@example.com",
]


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def test_seed_demo_creates_the_contract_accounts_and_is_idempotent(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert set(User.objects.values_list("email", flat=True)) >= set(ACCOUNTS)
    assert User.objects.get(email="admin@example.com").is_superuser
    assert AltProfile.objects.get(user__email="alt.applicant@example.com").branch is None
    predeparture = AltProfile.objects.get(user__email="alt.predeparture@example.com")
    assert predeparture.branch.code == "tokyo"
    assert (predeparture.departure_date - predeparture.arrival_date).days in (-1, 0)
    assert Group.objects.filter(name="Schedulers").exists()
    response = client.post("/accounts/login/", {"login": "alt.tokyo@example.com", "password": "portal-demo-2026"})
    assert response.status_code == 302
