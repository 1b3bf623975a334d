from datetime import time

import factory
from django.utils import timezone

from contacts.models import AltProfile, Branch, Notification, StaffRole, User


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"branch{n}")
    name_en = factory.LazyAttribute(lambda o: o.code.capitalize())
    name_ja = factory.LazyAttribute(lambda o: f"{o.code}支店")
    email = factory.LazyAttribute(lambda o: f"{o.code}@example.com")
    phone = "03-0000-0000"
    emergency_phone = factory.Sequence(lambda n: f"090-1111-{n:04d}")
    office_opens = time(9, 0)
    office_closes = time(18, 0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AltProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AltProfile

    user = factory.SubFactory(UserFactory)
    branch = factory.SubFactory(BranchFactory)
    departure_date = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=30))
    arrival_date = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=29))


def make_alt(*, branch=None, email=None, mc=None, grm=None, **profile_fields) -> User:
    user = UserFactory(**({"email": email} if email else {}))
    AltProfileFactory(user=user, branch=branch, managing_consultant=mc, grm_contact=grm, **profile_fields)
    return user


def make_staff(*, role: str, branch=None, email=None, **user_fields) -> User:
    from contacts.services import staff_role_grant

    user = UserFactory(**({"email": email} if email else {}), **user_fields)
    staff_role_grant(user=user, role=role, branch=branch)
    return user


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda o: o.recipient.email)
    kind = "test"
    key = factory.Sequence(lambda n: f"test:{n}")
    subject = "Subject"
    body = "Body"


__all__ = [
    "BranchFactory",
    "UserFactory",
    "AltProfileFactory",
    "NotificationFactory",
    "make_alt",
    "make_staff",
    "StaffRole",
]
