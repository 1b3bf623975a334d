"""Safety checks for tests, started as the admin starts them (the service), with the fan-out run."""

from contacts.models import AltProfile
from safety.links import answer_token
from safety.models import SafetyAnswer
from safety.services import safety_check_fan_out, safety_check_start


def start_check(*, by, branches=(), prefectures=(), fan_out=True, **fields):
    """A started check; with `fan_out` its answer rows and emails are written (as the task does after commit)."""
    values = {
        "title": "Earthquake in Kanto",
        "message": "A strong earthquake hit Kanto. Are you safe?",
        "reason": "EARTHQUAKE",
    }
    check = safety_check_start(by=by, branches=list(branches), prefectures=list(prefectures), **{**values, **fields})
    if fan_out:
        safety_check_fan_out(check_id=check.pk)
    return check


def answer_of(check, alt) -> SafetyAnswer:
    return SafetyAnswer.objects.get(safety_check=check, alt=alt)


def link_path(check, alt) -> str:
    return f"/safety/a/{answer_token(check_id=check.pk, alt_id=alt.pk)}/"


def live_in(alt, prefecture: str) -> None:
    AltProfile.objects.filter(user=alt).update(prefecture=prefecture)
