"""Demo data for the training app, called by `seed_demo` after the people exist."""

from datetime import datetime, time, timedelta
from functools import partial

from django.utils import timezone

from .models import Registration, TrainingSession

Kind, Track = TrainingSession.Kind, TrainingSession.Track
Status = Registration.Status


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _session(*, title: str, branch, **fields) -> TrainingSession:
    # Keyed by title and branch: a second run (even on a later day) finds the same rows.
    session, created = TrainingSession.objects.get_or_create(title=title, branch=branch, defaults=fields)
    japanese = {name: fields[name] for name in ("title_ja", "description_ja") if name in fields}
    if not created and any(getattr(session, name) != value for name, value in japanese.items()):
        # A database seeded before sessions had Japanese titles gets them.
        TrainingSession.objects.filter(pk=session.pk).update(**japanese)
        session.refresh_from_db()
    return session


def _register(session: TrainingSession, alt, status: str, *, invited: bool = False, answered: bool = True) -> None:
    Registration.objects.get_or_create(
        session=session,
        alt=alt,
        defaults={
            "status": status,
            "invited": invited,
            "answered_at": session.created if answered else None,
            "marked_by": session.trainer if status in Registration.ATTENDANCE else None,
        },
    )


def _todays_session(*, title: str, branch, today, **fields) -> TrainingSession:
    """A session all of today (Japan time), so that the demo always has one in its check-in window."""
    return _session_kept_at(title=title, branch=branch, start=_at(today, 0), end=_at(today, 23, 59), **fields)


def _session_kept_at(*, title: str, branch, start, end, **fields) -> TrainingSession:
    """A session at the same distance from the day `seed_demo` runs, whatever the day.

    Found by title like the others; run on a later day, it moves and its list is as before the
    doors opened (registered, nobody checked in yet).
    """
    session = _session(title=title, branch=branch, start=start, end=end, **fields)
    if session.start != start:
        TrainingSession.objects.filter(pk=session.pk).update(start=start, end=end)
        Registration.objects.filter(session=session).exclude(status=Status.WAITLISTED).update(
            status=Status.REGISTERED, checked_in_at=None, marked_by=None, status_changed_at=timezone.now()
        )
        session.refresh_from_db()
    return session


def seed(*, people: dict) -> None:
    """Orientation on both tracks (national, SESPS), branch training and ALT meetings for
    Tokyo and Osaka with their trainers, and registrations for the demo ALTs. Idempotent."""
    today = people["today"]
    day = lambda n: today + timedelta(days=n)  # noqa: E731
    sesps, tokyo, osaka = people["sesps"], people["branches"]["tokyo"], people["branches"]["osaka"]

    orientation = partial(_session, branch=None, kind=Kind.INITIAL_ORIENTATION, trainer=sesps, required=True)
    head_office = "Head office training room, Kudanminami, Tokyo"
    flagship = orientation(
        title="Initial orientation: flagship track",
        title_ja="初期オリエンテーション（フラッグシップ）",
        track=Track.FLAGSHIP,
        description="Two days on teaching in Japanese schools, life in Japan and who to call.",
        description_ja="日本の学校での授業の進め方、日本での暮らし、困ったときの連絡先を2日間で学びます。",
        start=_at(day(25), 9, 30),
        end=_at(day(26), 17, 0),
        place=head_office,
        capacity=40,
        registration_deadline=_at(day(22), 18, 0),
        arrival_from=day(10),
        arrival_until=day(30),
    )
    _register(flagship, people["alt.predeparture"], Status.REGISTERED, invited=True, answered=False)
    orientation(
        title="Initial orientation: alternate track",
        title_ja="初期オリエンテーション（別日程）",
        track=Track.ALTERNATE,
        description="For ALTs who arrive after the flagship orientation.",
        description_ja="フラッグシップのオリエンテーションより後に来日するALT向けの回です。",
        start=_at(day(60), 10, 0),
        end=_at(day(60), 16, 0),
        online_link="https://meet.example.com/alt-orientation-alternate",
        capacity=15,
        registration_deadline=_at(day(57), 18, 0),
        arrival_from=day(31),
        arrival_until=day(75),
    )
    past_orientation = orientation(
        title="Initial orientation: flagship track (last intake)",
        title_ja="初期オリエンテーション（フラッグシップ・前回）",
        track=Track.FLAGSHIP,
        start=_at(day(-57), 9, 30),
        end=_at(day(-56), 17, 0),
        place=head_office,
        capacity=40,
        registration_deadline=_at(day(-60), 18, 0),
        arrival_from=day(-70),
        arrival_until=day(-58),
    )
    # Osaka's ALT missed it and is on no orientation since: SESPS's worklist names them.
    _register(past_orientation, people["alt.tokyo"], Status.ATTENDED, invited=True)
    _register(past_orientation, people["alt.osaka"], Status.ABSENT, invited=True)

    for code, branch, offset in (("tokyo", tokyo, 0), ("osaka", osaka, 2)):
        trainer, alt, name = people[f"trainer.{code}"], people[f"alt.{code}"], branch.name_en
        name_ja = branch.name_ja
        branch_session = partial(_session, branch=branch, trainer=trainer)
        training = branch_session(
            title=f"{name} branch training: classroom management",
            title_ja=f"{name_ja}研修：クラスルームマネジメント",
            kind=Kind.BRANCH_TRAINING,
            start=_at(day(10 + offset), 14, 0),
            end=_at(day(10 + offset), 17, 0),
            place=f"{name} branch office, meeting room A",
            capacity=25,
            required=True,
            registration_deadline=_at(day(8 + offset), 18, 0),
        )
        _register(training, alt, Status.REGISTERED, invited=True, answered=code == "osaka")
        meeting = branch_session(
            title=f"{name} ALT meeting",
            title_ja=f"{name_ja} ALTミーティング",
            kind=Kind.ALT_MEETING,
            start=_at(day(3 + offset), 18, 0),
            end=_at(day(3 + offset), 19, 30),
            online_link=f"https://meet.example.com/{code}-alt-meeting",
            capacity=30,
            required=False,
        )
        if code == "tokyo":
            _register(meeting, alt, Status.REGISTERED)
            # The meetings since arrival: more past sessions than /training/ shows (the rest on /training/past/).
            for number, days_ago, status in ((1, 48, Status.ATTENDED), (2, 34, Status.ATTENDED),
                                             (3, 13, Status.ABSENT), (4, 6, Status.ATTENDED)):  # fmt: skip
                earlier = branch_session(
                    title=f"{name} ALT meeting: check-in {number}",
                    title_ja=f"{name_ja} ALTミーティング：近況報告 第{number}回",
                    kind=Kind.ALT_MEETING,
                    start=_at(day(-days_ago), 18, 0),
                    end=_at(day(-days_ago), 19, 30),
                    online_link=f"https://meet.example.com/{code}-alt-meeting",
                    capacity=30,
                    required=False,
                )
                _register(earlier, alt, status)
        branch_session(
            title=f"{name} workshop: team teaching with JTEs",
            title_ja=f"{name_ja}ワークショップ：JTEとのティームティーチング",
            kind=Kind.BRANCH_TRAINING,
            start=_at(day(17 + offset), 10, 0),
            end=_at(day(17 + offset), 12, 0),
            place=f"{name} branch office, meeting room B",
            capacity=2,
            required=False,
        )
        if code == "tokyo":
            # In its check-in window all day: the trainer shows the QR code, the ALT checks in.
            drop_in = _todays_session(
                title=f"{name} open day: lesson planning drop-in",
                title_ja=f"{name_ja}オープンデー：授業準備の相談会",
                branch=branch,
                today=today,
                trainer=trainer,
                kind=Kind.BRANCH_TRAINING,
                description="Bring a lesson plan; trainers are in the room all day.",
                description_ja="指導案をお持ちください。トレーナーが終日会場にいます。",
                place=f"{name} branch office, meeting room A",
                capacity=30,
                required=False,
            )
            _register(drop_in, alt, Status.REGISTERED)
        # Last week's meeting, whose roll nobody took: on the trainer's worklist (it moves with the day too).
        unmarked = _session_kept_at(
            title=f"{name} ALT meeting (last week)",
            title_ja=f"{name_ja} ALTミーティング（先週）",
            branch=branch,
            trainer=trainer,
            kind=Kind.ALT_MEETING,
            start=_at(day(-5 - offset), 18, 0),
            end=_at(day(-5 - offset), 19, 30),
            place=f"{name} branch office, meeting room B",
            capacity=30,
            required=False,
        )
        _register(unmarked, alt, Status.REGISTERED)
        past = branch_session(
            title=f"{name} branch training: first term review",
            title_ja=f"{name_ja}研修：1学期の振り返り",
            kind=Kind.BRANCH_TRAINING,
            start=_at(day(-20 - offset), 14, 0),
            end=_at(day(-20 - offset), 17, 0),
            place=f"{name} branch office, meeting room A",
            capacity=25,
            required=True,
        )
        _register(past, alt, Status.ATTENDED if code == "tokyo" else Status.ABSENT, invited=True)
