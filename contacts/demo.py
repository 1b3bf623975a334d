"""Demo people and branches for `seed_demo`. Idempotent."""

from datetime import date, time, timedelta

from django.utils import timezone

from . import services
from .models import AltProfile, Branch, OrientationTrack, StaffRole, User

BRANCHES = {
    "tokyo": {
        "name_en": "Tokyo",
        "name_ja": "東京支店",
        "email": "tokyo.branch@example.com",
        "phone": "03-0000-1000",
        "emergency_phone": "090-0000-1999",
        "address_en": "1-2-3 Kudanminami, Chiyoda-ku, Tokyo",
        "address_ja": "東京都千代田区九段南1-2-3",
    },
    "osaka": {
        "name_en": "Osaka",
        "name_ja": "大阪支店",
        "email": "osaka.branch@example.com",
        "phone": "06-0000-2000",
        "emergency_phone": "090-0000-2999",
        "address_en": "4-5-6 Umeda, Kita-ku, Osaka",
        "address_ja": "大阪府大阪市北区梅田4-5-6",
    },
}

# email: (first, last, language, phone)
NAMES = {
    "admin@example.com": ("Portal", "Admin", "en", ""),
    "grm@example.com": ("Haruka", "Sato", "en", "03-0000-3001"),
    "sesps@example.com": ("Kenji", "Watanabe", "en", "03-0000-3002"),
    "mc.tokyo@example.com": ("Yuki", "Tanaka", "ja", "03-0000-1001"),
    "staff.tokyo@example.com": ("Aiko", "Suzuki", "ja", "03-0000-1002"),
    "trainer.tokyo@example.com": ("Daniel", "Moore", "en", "03-0000-1003"),
    "alt.tokyo@example.com": ("Emily", "Carter", "en", "080-0000-0101"),
    "mc.osaka@example.com": ("Takeshi", "Yamamoto", "ja", "06-0000-2001"),
    "staff.osaka@example.com": ("Mei", "Kobayashi", "ja", "06-0000-2002"),
    "trainer.osaka@example.com": ("Grace", "Okafor", "en", "06-0000-2003"),
    "alt.osaka@example.com": ("Liam", "O'Brien", "en", "080-0000-0202"),
    "alt.predeparture@example.com": ("Sofia", "Reyes", "en", ""),
    "alt.applicant@example.com": ("Noah", "Williams", "en", ""),
}


def _user(email: str, password: str, **extra) -> User:
    first, last, language, phone = NAMES[email]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            preferred_language=language,
            phone=phone,
            **extra,
        )
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def seed(*, password: str) -> dict:
    """Create the demo branches and people; return them by role for the other apps."""
    today = timezone.localdate()
    branches = {}
    for code, fields in BRANCHES.items():
        branch, _ = Branch.objects.update_or_create(
            code=code, defaults={**fields, "office_opens": time(9, 0), "office_closes": time(18, 0)}
        )
        branches[code] = branch

    admin = _user("admin@example.com", password, is_staff=True, is_superuser=True)
    grm = _user("grm@example.com", password)
    services.staff_role_grant(user=grm, role=StaffRole.Role.GRM)
    sesps = _user("sesps@example.com", password)
    services.staff_role_grant(user=sesps, role=StaffRole.Role.SESPS)

    people = {"admin": admin, "grm": grm, "sesps": sesps, "branches": branches, "today": today}
    for code, branch in branches.items():
        mc = _user(f"mc.{code}@example.com", password)
        services.staff_role_grant(user=mc, role=StaffRole.Role.MC, branch=branch)
        scheduler = _user(f"staff.{code}@example.com", password)
        services.staff_role_grant(user=scheduler, role=StaffRole.Role.SCHEDULER, branch=branch)
        trainer = _user(f"trainer.{code}@example.com", password)
        services.staff_role_grant(user=trainer, role=StaffRole.Role.TRAINER, branch=branch)
        alt = _user(f"alt.{code}@example.com", password)
        AltProfile.objects.update_or_create(
            user=alt,
            defaults={
                "branch": branch,
                "managing_consultant": mc,
                "grm_contact": grm,
                "country": "United States" if code == "tokyo" else "Ireland",
                # Tokyo's ALT lives across the river in Saitama; Osaka's in Osaka.
                "prefecture": "11" if code == "tokyo" else "27",
                "departure_date": today - timedelta(days=60),
                "arrival_date": today - timedelta(days=59),
                "orientation_track": OrientationTrack.FLAGSHIP,
            },
        )
        people[f"mc.{code}"] = mc
        people[f"staff.{code}"] = scheduler
        people[f"trainer.{code}"] = trainer
        people[f"alt.{code}"] = alt

    predeparture = _user("alt.predeparture@example.com", password)
    AltProfile.objects.update_or_create(
        user=predeparture,
        defaults={
            "branch": branches["tokyo"],
            "managing_consultant": people["mc.tokyo"],
            "grm_contact": grm,
            "country": "Philippines",
            "prefecture": "14",  # Kanagawa, from the day of arrival
            "departure_date": today + timedelta(days=20),
            "arrival_date": today + timedelta(days=21),
            "orientation_track": OrientationTrack.FLAGSHIP,
        },
    )
    applicant = _user("alt.applicant@example.com", password)
    AltProfile.objects.update_or_create(
        user=applicant,
        defaults={
            "branch": None,
            "managing_consultant": None,
            "grm_contact": grm,
            "country": "Canada",
            "departure_date": date(today.year + 1, 4, 1) if today.month >= 3 else date(today.year, 4, 1),
            "arrival_date": None,
            # A later intake: GRM has put them on the alternate orientation already.
            "orientation_track": OrientationTrack.ALTERNATE,
        },
    )
    people["alt.predeparture"] = predeparture
    people["alt.applicant"] = applicant
    return people
