"""What training and support add to the handover from GRM to the MC.

Onboarding builds the handover but imports neither app: it asks the sources
registered in `onboarding.handover`, and these two are registered in
InteracPortalConfig.ready().
"""

from django.utils.translation import gettext

from core.formats import format_datetime
from onboarding.handover import HandoverSection
from support import selectors as support_selectors
from training.models import Registration, TrainingSession


def orientation_sections(*, alt_ids) -> dict[int, list[HandoverSection]]:
    """Each ALT's initial orientation registrations (one query for all of them)."""
    lines: dict[int, list[str]] = {alt_id: [] for alt_id in alt_ids}
    registrations = (
        Registration.objects.filter(alt_id__in=list(lines), session__kind=TrainingSession.Kind.INITIAL_ORIENTATION)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .select_related("session")
        .order_by("session__start", "pk")
    )
    for registration in registrations:
        session = registration.session
        lines[registration.alt_id].append(
            f"{session.display_title} · {format_datetime(session.start)} · {registration.get_status_display()}"
        )
    title = gettext("Orientation registration")
    nothing = gettext("Not registered for an initial orientation session yet.")
    return {alt_id: [HandoverSection(title, tuple(found) or (nothing,))] for alt_id, found in lines.items()}


def _support_selector():
    # Provided by support (open requests handled by GRM, keyed by ALT id); absent until that work is merged.
    return getattr(support_selectors, "support_requests_open_with_grm", None)


def open_questions_with_grm(*, alt_ids, selector=None) -> dict[int, list[HandoverSection]]:
    """The ALTs' requests still open with GRM: what the MC should know is being answered elsewhere.

    `selector(alt_ids=...)` returns {alt id: [SupportRequest, ...]}; by default
    `support.selectors.support_requests_open_with_grm`. Without one, no section.
    """
    selector = selector or _support_selector()
    if selector is None:
        return {}
    alt_ids = list(alt_ids)
    found = selector(alt_ids=alt_ids)
    title = gettext("Open questions with GRM")
    sections = {}
    for alt_id in alt_ids:
        requests = found.get(alt_id, [])
        lines = tuple(f"{r.reference} · {r.subject} · {r.get_status_display()}" for r in requests)
        sections[alt_id] = [HandoverSection(title, lines or (gettext("None"),))]
    return sections
