"""Every read the safety pages need, with the permission filter in one place."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from contacts.models import AltProfile, User
from contacts.selectors import BranchScope

from .links import answer_token_read
from .models import AnswerStatus, SafetyAnswer, SafetyCheck, WellbeingCheckin

# The staff view lists at most this many people per list; the CSV has everyone.
LIST_LIMIT = 200
# A check-in invitation stays on the dashboard this long.
CHECKIN_OPEN_DAYS = 30


class SafetyCheckClosed(Http404):
    """A valid link to a check that has closed: 404, with a page that says so."""

    def __init__(self, answer):
        super().__init__("This safety check is closed")
        self.answer = answer


# --- who is asked ----------------------------------------------------------------------


def alts_in_scope(*, branch_ids, prefectures, today=None) -> QuerySet:
    """The AltProfiles a check over `branch_ids` and `prefectures` asks: active ALTs who have arrived.

    No branch means every branch, no prefecture every prefecture; with
    prefectures chosen, ALTs who have not given theirs are not in scope.
    """
    today = today or timezone.localdate()
    profiles = AltProfile.objects.filter(branch__isnull=False, arrival_date__lte=today, user__is_active=True)
    if branch_ids:
        profiles = profiles.filter(branch_id__in=list(branch_ids))
    if prefectures:
        profiles = profiles.filter(prefecture__in=list(prefectures))
    return profiles


# --- staff ---------------------------------------------------------------------------------


def safety_checks_scope_filter(*, scope: BranchScope) -> Q:
    """The checks a branch's staff see: those over every branch, and those naming one of theirs."""
    through = SafetyCheck.branches.through.objects
    names_theirs = Exists(through.filter(safetycheck_id=OuterRef("pk"), branch_id__in=scope.branch_ids))
    names_any = Exists(through.filter(safetycheck_id=OuterRef("pk")))
    return Q(names_theirs) | ~Q(names_any)


def safety_check_may_close(*, scope: BranchScope, check: SafetyCheck) -> bool:
    """National staff close any check; a branch's staff one that names only branches of theirs."""
    if scope.all_branches:
        return True
    branch_ids = {branch.pk for branch in check.branches.all()}
    return bool(branch_ids) and branch_ids <= scope.branch_ids


def _answers_in_scope(*, check: SafetyCheck, scope: BranchScope) -> QuerySet:
    answers = SafetyAnswer.objects.filter(safety_check=check)
    if not scope.all_branches:
        answers = answers.filter(branch_id__in=scope.branch_ids)
    return answers


@dataclass
class BranchCounts:
    branch_id: int | None
    name: str
    total: int = 0
    safe: int = 0
    need_help: int = 0
    no_answer: int = 0

    def add(self, other: "BranchCounts") -> None:
        self.total += other.total
        self.safe += other.safe
        self.need_help += other.need_help
        self.no_answer += other.no_answer


@dataclass
class CheckStatus:
    branches: list[BranchCounts]
    totals: BranchCounts
    need_help: list = field(default_factory=list)
    no_answer: list = field(default_factory=list)
    branch_id: int | None = None
    limit: int = LIST_LIMIT

    @property
    def need_help_more(self) -> int:
        return max(0, self.branch_counts().need_help - len(self.need_help))

    @property
    def no_answer_more(self) -> int:
        return max(0, self.branch_counts().no_answer - len(self.no_answer))

    def branch_counts(self) -> BranchCounts:
        """The counts of the branch the lists show (or of all)."""
        for row in self.branches:
            if row.branch_id == self.branch_id:
                return row
        return self.totals


_LISTED_FIELDS = [
    "pk",
    "status",
    "note",
    "answered_at",
    "channel",
    "prefecture",
    "branch_id",
    "alt__first_name",
    "alt__last_name",
    "alt__email",
    "alt__phone",
    "alt__alt_profile__id",
    "alt__alt_profile__managing_consultant__first_name",
    "alt__alt_profile__managing_consultant__last_name",
    "alt__alt_profile__managing_consultant__email",
    "support_request__reference",
]


def safety_check_status(*, check: SafetyCheck, scope: BranchScope, branch_id=None, limit=None) -> CheckStatus:
    """The staff view of a check: per branch (those `scope` sees) safe / need help / no answer, and the
    lists of who needs help and who has not answered (name, MC, phone, prefecture), at most `limit` each,
    of one branch or all.

    Two queries, whatever the number of answers: the counts, and both lists at once.
    """
    limit = limit or LIST_LIMIT
    answers = _answers_in_scope(check=check, scope=scope)
    japanese = (get_language() or "en").startswith("ja")
    branches = []
    for row in (
        answers.values("branch_id", "branch__name_en", "branch__name_ja")
        .annotate(
            total=Count("pk"),
            safe=Count("pk", filter=Q(status=AnswerStatus.SAFE)),
            need_help=Count("pk", filter=Q(status=AnswerStatus.NEED_HELP)),
            no_answer=Count("pk", filter=Q(status=AnswerStatus.NO_ANSWER)),
        )
        .order_by("branch__name_en")
    ):
        name = row["branch__name_ja"] if japanese and row["branch__name_ja"] else row["branch__name_en"]
        branches.append(
            BranchCounts(row["branch_id"], name, row["total"], row["safe"], row["need_help"], row["no_answer"])
        )
    totals = BranchCounts(None, "")
    for row in branches:
        totals.add(row)
    if branch_id is not None and branch_id not in {row.branch_id for row in branches}:
        branch_id = None
    listed = answers if branch_id is None else answers.filter(branch_id=branch_id)
    # One query for both lists: each status numbered by name, the first `limit` of each kept.
    rows = list(
        listed.exclude(status=AnswerStatus.SAFE)
        .select_related("alt", "alt__alt_profile__managing_consultant", "support_request")
        .only(*_LISTED_FIELDS)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("alt__last_name").asc(), F("alt__first_name").asc(), F("pk").asc()],
            )
        )
        .filter(place__lte=limit)
        .order_by("alt__last_name", "alt__first_name", "pk")
    )
    return CheckStatus(
        branches=branches,
        totals=totals,
        need_help=[a for a in rows if a.status == AnswerStatus.NEED_HELP],
        no_answer=[a for a in rows if a.status == AnswerStatus.NO_ANSWER],
        branch_id=branch_id,
        limit=limit,
    )


def safety_answers_for_export(*, check: SafetyCheck, scope: BranchScope):
    """Every answer of the check that `scope` sees, for the CSV: branch, then need help, no answer, safe."""
    return (
        _answers_in_scope(check=check, scope=scope)
        .select_related("branch", "alt", "alt__alt_profile__managing_consultant", "support_request")
        .order_by("branch__name_en", "status", "alt__last_name", "alt__first_name", "pk")
        .iterator(chunk_size=2000)
    )


@dataclass
class WellbeingRow:
    name: str
    answers: int
    shown: bool
    work: float | None = None
    daily_life: float | None = None
    health: float | None = None
    contact_requested: int | None = None


def wellbeing_summary(*, scope: BranchScope) -> list[WellbeingRow]:
    """Check-in averages per branch that `scope` sees, never a person: a branch with fewer than
    WELLBEING_MIN_ANSWERS answers shows no figure at all. No total across branches either: with the
    shown branches it would give away the hidden ones."""
    answered = WellbeingCheckin.objects.filter(answered_at__isnull=False)
    if not scope.all_branches:
        answered = answered.filter(branch_id__in=scope.branch_ids)
    japanese = (get_language() or "en").startswith("ja")
    rows = []
    for row in (
        answered.values("branch_id", "branch__name_en", "branch__name_ja")
        .annotate(
            answers=Count("pk"),
            work=Avg("work"),
            daily_life=Avg("daily_life"),
            health=Avg("health"),
            contact_requested=Count("pk", filter=Q(contact_requested=True)),
        )
        .order_by("branch__name_en")
    ):
        name = row["branch__name_ja"] if japanese and row["branch__name_ja"] else row["branch__name_en"]
        if row["answers"] < settings.WELLBEING_MIN_ANSWERS:
            rows.append(WellbeingRow(name=name, answers=row["answers"], shown=False))
            continue
        rows.append(
            WellbeingRow(
                name=name,
                answers=row["answers"],
                shown=True,
                work=round(row["work"], 1),
                daily_life=round(row["daily_life"], 1),
                health=round(row["health"], 1),
                contact_requested=row["contact_requested"],
            )
        )
    return rows


# --- the ALT ---------------------------------------------------------------------------------


def safety_dashboard_card(*, profile: AltProfile):
    """The dashboard's safety card: open checks the ALT has not answered, and a check-in waiting.

    Two queries; none for an ALT without a branch (nobody asks them yet).
    """
    if profile.branch_id is None:
        return None
    pending = list(
        SafetyAnswer.objects.filter(
            alt_id=profile.user_id, status=AnswerStatus.NO_ANSWER, safety_check__closed_at__isnull=True
        )
        .select_related("safety_check")
        .order_by("-safety_check__started_at")[:3]
    )
    checkin = (
        WellbeingCheckin.objects.filter(
            alt_id=profile.user_id,
            answered_at__isnull=True,
            invited_at__gte=timezone.now() - timedelta(days=CHECKIN_OPEN_DAYS),
        )
        .order_by("-invited_at")
        .first()
    )
    if not pending and checkin is None:
        return None
    return {"pending": pending, "checkin": checkin}


def safety_answer_get_for_alt(*, user: User, check_id: int) -> SafetyAnswer:
    """The ALT's own answer row of a check; 404 for a check that did not ask them."""
    try:
        return SafetyAnswer.objects.select_related("safety_check").get(safety_check_id=check_id, alt=user)
    except SafetyAnswer.DoesNotExist:
        raise Http404("No such safety check") from None


def safety_link_read(*, token: str) -> tuple[int, int]:
    """(check id, ALT id) a link stands for; 404 for a made-up or altered one."""
    try:
        return answer_token_read(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("No such link") from None


def safety_answer_for_link(*, token: str) -> SafetyAnswer:
    """The answer row a link from the email stands for: 404 for a made-up or altered link,
    SafetyCheckClosed (a 404 too) once the check has closed."""
    check_id, alt_id = safety_link_read(token=token)
    try:
        answer = SafetyAnswer.objects.select_related("safety_check", "alt", "branch").get(
            safety_check_id=check_id, alt_id=alt_id
        )
    except SafetyAnswer.DoesNotExist:
        raise Http404("No such link") from None
    if answer.safety_check.closed_at is not None:
        raise SafetyCheckClosed(answer)
    return answer


def safety_answer_history(*, answer: SafetyAnswer) -> list:
    return list(answer.changes.order_by("-at", "-pk")[:10])


def wellbeing_checkin_get_for_alt(*, user: User, pk: int) -> WellbeingCheckin:
    """One of the ALT's own check-ins; 404 for anyone else's."""
    try:
        return WellbeingCheckin.objects.get(pk=pk, alt=user)
    except WellbeingCheckin.DoesNotExist:
        raise Http404("No such check-in") from None
