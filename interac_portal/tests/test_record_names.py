"""Records are named for the people and things they are about, in the reader's language.

What the admin shows in its lists, history, delete confirmations and log ("Reply from Aiko Pierce
on SR-2026-000001"), never "Message #11" or "CITY_HALL #1"; and a session's title and description
in the reader's language, the English ones when no Japanese was written.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from onboarding.models import ChecklistItem
from testing.support import MessageFactory, SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory

START = datetime(2026, 12, 8, 14, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize(
    "language, reply, checklist, registration",
    [
        ("en", "Reply from {staff} on {ref}", "Register your address at city hall — {alt}", "{alt} at {session}"),
        ("ja", "{ref}への{staff}さんの返信", "役所で住所を登録する — {alt}", "{alt}さん・{session}"),
    ],
)
def test_records_are_named_for_people(language, reply, checklist, registration, alt_tokyo, staff_tokyo, tokyo):
    request = SupportRequestFactory(alt=alt_tokyo)
    message = MessageFactory(support_request=request, author=staff_tokyo, from_staff=True)
    item = ChecklistItem.objects.create(alt=alt_tokyo, kind=ChecklistItem.Kind.CITY_HALL)
    session = TrainingSessionFactory(branch=tokyo, title="Team teaching", start=START, end=START + timedelta(hours=2))
    entry = RegistrationFactory(session=session, alt=alt_tokyo)
    with translation.override(language):
        names = {"staff": staff_tokyo.display_name, "alt": alt_tokyo.display_name, "ref": request.reference}
        assert str(message) == reply.format(**names)
        assert str(item) == checklist.format(**names)
        assert str(entry) == registration.format(**names, session=str(session))
        assert str(session).endswith(" · Tue 8 Dec 2026, 14:00" if language == "en" else " · 2026年12月8日(火) 14:00")
        for text in (str(message), str(item), str(entry)):
            assert "#" not in text and "CITY_HALL" not in text


def test_a_session_shows_its_japanese_title_and_description_to_a_japanese_reader(client_for, alt_tokyo, tokyo):
    japanese = TrainingSessionFactory(
        branch=tokyo,
        title="Classroom management",
        title_ja="クラスルームマネジメント研修",
        description="Bring a lesson plan.",
        description_ja="指導案をお持ちください。",
    )
    english_only = TrainingSessionFactory(branch=tokyo, title="Lesson planning drop-in")
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save(update_fields=["preferred_language"])
    page = client_for(alt_tokyo).get(reverse("training:index")).content.decode()
    assert "クラスルームマネジメント研修" in page and "Classroom management" not in page
    assert "Lesson planning drop-in" in page  # no Japanese title written: the English one
    with translation.override("ja"):
        assert japanese.display_description == "指導案をお持ちください。"
        assert english_only.display_description == ""
    with translation.override("en"):
        assert japanese.display_title == "Classroom management"
        assert japanese.display_description == "Bring a lesson plan."
