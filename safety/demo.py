"""Demo data for the safety app, called by `seed_demo` after the people exist. Idempotent.

An open drill over every branch (Osaka's ALT answered from the email link,
Tokyo's has not: their dashboard shows the buttons), a closed typhoon check of
the Osaka branch, a well-being check-in waiting for Tokyo's ALT and one that
Osaka's ALT answered.
"""

from django.utils import timezone

from .models import AnswerStatus, Channel, SafetyCheck, WellbeingCheckin
from .services import safety_answer_record, safety_check_close, safety_check_fan_out, safety_check_start

DRILL = {
    "title": "Safety check drill",
    "title_ja": "安否確認訓練",
    "message": (
        "This is a drill of the safety check we run after a large earthquake, typhoon or flood. "
        "Please tap “I'm safe”, or “I need help” to see what your branch sees."
    ),
    "message_ja": (
        "大きな地震・台風・水害の後に行う安否確認の訓練です。"
        "「無事です」を押してください。「助けが必要です」を押すと、支店にどう届くかを確認できます。"
    ),
    "reason": "OTHER",
}
TYPHOON = {
    "title": "Typhoon No. 10: Osaka",
    "title_ja": "台風10号（大阪）",
    "message": "Typhoon No. 10 passed over Osaka last night. Are you and your home safe?",
    "message_ja": "昨夜、台風10号が大阪を通過しました。ご自身とお住まいは無事ですか。",
    "reason": "TYPHOON",
}


def _answer(check, alt, status, note, channel):
    safety_answer_record(check_id=check.pk, alt_id=alt.pk, status=status, note=note, channel=channel)


def seed(*, people: dict) -> None:
    osaka = people["branches"]["osaka"]
    if not SafetyCheck.objects.filter(title=DRILL["title"]).exists():
        drill = safety_check_start(by=people["sesps"], branches=[], prefectures=[], **DRILL)
        safety_check_fan_out(check_id=drill.pk)  # now: the answer below needs the rows
        _answer(drill, people["alt.osaka"], AnswerStatus.SAFE, "All fine here.", Channel.EMAIL_LINK)
    if not SafetyCheck.objects.filter(title=TYPHOON["title"]).exists():
        typhoon = safety_check_start(by=people["mc.osaka"], branches=[osaka], prefectures=["27"], **TYPHOON)
        safety_check_fan_out(check_id=typhoon.pk)
        _answer(typhoon, people["alt.osaka"], AnswerStatus.SAFE, "Some branches down in the street.", Channel.DASHBOARD)
        safety_check_close(check=typhoon, by=people["mc.osaka"])
    now = timezone.now()
    WellbeingCheckin.objects.get_or_create(
        alt=people["alt.tokyo"], month=1, defaults={"branch": people["branches"]["tokyo"], "invited_at": now}
    )
    WellbeingCheckin.objects.get_or_create(
        alt=people["alt.osaka"],
        month=1,
        defaults={
            "branch": osaka,
            "invited_at": now,
            "answered_at": now,
            "work": 4,
            "daily_life": 3,
            "health": 4,
            "comment": "Settling in; the winter is colder than I thought.",
        },
    )
