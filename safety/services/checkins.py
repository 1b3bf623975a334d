"""Well-being check-ins at 1, 3 and 6 months after arrival: the invitation and the ALT's answer."""

import uuid
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile
from contacts.services import notify_many
from support.models import Category, Urgency
from support.services import support_request_create

from ..models import WellbeingCheckin

_TOKENS = uuid.UUID("8b3e6a0c-71f4-4d2e-a6c5-0f9d2c4b7e13")


def _due_invitations(today) -> list[tuple[AltProfile, int]]:
    """(profile, month) for ALTs whose 1-, 3- or 6-month day was within the last WINDOW days and who have
    no check-in for that month. Month lengths differ: a slightly wider arrival range, then the exact day."""
    window = timedelta(days=settings.WELLBEING_CHECKIN_WINDOW_DAYS)
    due = []
    for month in settings.WELLBEING_CHECKIN_MONTHS:
        latest = today - relativedelta(months=month) + timedelta(days=3)
        earliest = latest - window - timedelta(days=6)
        profiles = (
            AltProfile.objects.filter(
                branch__isnull=False, user__is_active=True, arrival_date__range=(earliest, latest)
            )
            .exclude(user__wellbeing_checkins__month=month)
            .select_related("user")
        )
        for profile in profiles:
            day = profile.arrival_date + relativedelta(months=month)
            if day <= today < day + window:
                due.append((profile, month))
    return due


def wellbeing_checkins_invite(*, today=None) -> int:
    """Invite the ALTs whose check-in is due (1, 3 and 6 months after arrival). Returns the emails written.

    One check-in per ALT and month (a unique row, and the email's unique key),
    however often this runs; an invitation missed for a few days (the
    scheduler was down) still goes out within WELLBEING_CHECKIN_WINDOW_DAYS.
    """
    today = today or timezone.localdate()
    due = _due_invitations(today)
    if not due:
        return 0
    now = timezone.now()
    with transaction.atomic():
        WellbeingCheckin.objects.bulk_create(
            [
                WellbeingCheckin(alt_id=profile.user_id, branch_id=profile.branch_id, month=month, invited_at=now)
                for profile, month in due
            ],
            ignore_conflicts=True,
        )
        ids = {
            (alt_id, month): pk
            for pk, alt_id, month in WellbeingCheckin.objects.filter(
                alt_id__in=[profile.user_id for profile, _month in due], answered_at__isnull=True
            ).values_list("pk", "alt_id", "month")
        }
        items = [
            {
                "kind": "wellbeing.checkin",
                "key": f"wellbeing.checkin:{profile.user_id}:{month}",
                "template": "safety/email/checkin",
                "context": {
                    "month": month,
                    "wellbeing_phone": settings.WELLBEING_LINE["phone"],
                    "url": settings.SITE_URL + reverse("safety:checkin", args=[ids[(profile.user_id, month)]]),
                },
                "recipient": profile.user,
            }
            for profile, month in due
            if (profile.user_id, month) in ids
        ]
        return notify_many(items=items)


class CheckinAnsweredError(ValidationError):
    """The check-in was answered already (another tab, a double tap)."""


def wellbeing_checkin_answer(
    *, checkin: WellbeingCheckin, work: int, daily_life: int, health: int, comment: str, contact_me: bool
) -> WellbeingCheckin:
    """Record the ALT's check-in, once. With "contact me" (their consent, given on the form) a
    confidential WELLBEING request with the answers goes to their branch, for their MC."""
    with transaction.atomic():
        locked = WellbeingCheckin.objects.select_for_update().get(pk=checkin.pk)
        if locked.answered_at is not None:
            raise CheckinAnsweredError(_("You have already answered this check-in. Thank you."), code="answered")
        locked.work, locked.daily_life, locked.health = work, daily_life, health
        locked.comment = comment.strip()
        locked.contact_requested = contact_me
        locked.answered_at = timezone.now()
        locked.save(update_fields=["work", "daily_life", "health", "comment", "contact_requested", "answered_at"])
        if contact_me:
            locked.support_request = _ask_to_be_contacted(locked)
            locked.save(update_fields=["support_request"])
    return locked


def _ask_to_be_contacted(checkin: WellbeingCheckin):
    profile = AltProfile.objects.select_related("user", "branch", "managing_consultant").get(user_id=checkin.alt_id)
    if profile.branch is None:
        return None
    with translation.override(profile.user.preferred_language):
        subject = gettext("Well-being check-in: please contact me")
        details = "\n".join(
            [
                gettext("%(months)s months after arrival. I would like someone to contact me.")
                % {"months": checkin.month},
                gettext("Work: %(score)s/5") % {"score": checkin.work},
                gettext("Daily life: %(score)s/5") % {"score": checkin.daily_life},
                gettext("Health: %(score)s/5") % {"score": checkin.health},
                gettext("Comment: %(comment)s") % {"comment": checkin.comment or "—"},
            ]
        )
    support_request, _created = support_request_create(
        alt=profile.user,
        profile=profile,
        category=Category.WELLBEING,
        subject=subject,
        details=details,
        urgency=Urgency.NORMAL,
        submit_token=uuid.uuid5(_TOKENS, f"wellbeing-checkin:{checkin.pk}"),
    )
    return support_request
