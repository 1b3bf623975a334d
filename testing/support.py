import uuid
from datetime import datetime, timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from support.due import JAPAN
from support.models import CannedReply, Category, Message, OnCallShift, Status, SupportRequest, Urgency, Visit
from support.services import reference_next, support_request_create, support_request_due_at

# The smallest files each check accepts.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def upload(name="letter.pdf", content=PDF_BYTES, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class SupportRequestFactory(factory.django.DjangoModelFactory):
    """A request of an ALT of `alt`'s branch. Pass `alt` (a user with an AltProfile)."""

    class Meta:
        model = SupportRequest

    alt = None
    branch = factory.LazyAttribute(lambda o: o.alt.alt_profile.branch)
    category = Category.CITY_HALL
    subject = factory.Sequence(lambda n: f"Help needed {n}")
    details = "Please help."
    urgency = Urgency.NORMAL
    status = Status.NEW
    created = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda o: o.created)
    submit_token = factory.LazyFunction(uuid.uuid4)
    due_at = factory.LazyAttribute(
        lambda o: support_request_due_at(branch=o.branch, urgency=o.urgency, start=o.created)
    )
    reference = factory.LazyAttribute(lambda o: reference_next(year=timezone.localtime(o.created).year))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    support_request = None
    author = factory.LazyAttribute(lambda o: o.support_request.alt)
    body = factory.Sequence(lambda n: f"Message {n}")
    from_staff = False
    is_internal = False


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    category = Category.CITY_HALL
    title = factory.Sequence(lambda n: f"Canned {n}")
    body = "Bring your residence card and passport."


class OnCallShiftFactory(factory.django.DjangoModelFactory):
    """A shift of `person` on `branch`: pass both, and `starts_at` / `ends_at`."""

    class Meta:
        model = OnCallShift

    branch = None
    person = None
    phone = "090-5555-0000"


class VisitFactory(factory.django.DjangoModelFactory):
    """A visit for `support_request` (pass it) tomorrow at 10:00 for 90 minutes, with `staff` going."""

    class Meta:
        model = Visit

    support_request = None
    branch = factory.LazyAttribute(lambda o: o.support_request.branch)
    starts_at = factory.LazyFunction(
        lambda: timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=90))
    meeting_point = "Ward office, main entrance"
    staff = None


def request_sent_by(alt, *, subject="Help", category=Category.OTHER, urgency=Urgency.NORMAL, token=None):
    """A request sent by `alt` through the service the new-request form calls: (the request, whether new)."""
    return support_request_create(
        alt=alt,
        profile=alt.alt_profile,
        category=category,
        subject=subject,
        details="Details",
        urgency=urgency,
        submit_token=token or uuid.uuid4(),
    )


def jst(text: str) -> datetime:
    """ "2026-06-01 22:00" in Japan time."""
    return datetime.fromisoformat(text).replace(tzinfo=JAPAN)
