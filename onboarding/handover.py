"""What GRM hands the MC on confirmation, section by section.

Onboarding knows the placement: arrival, flight, housing, the pre-departure
course, recruiting's notes, and reads the ALT's orientation track from their
profile. What other apps know (orientation registration in training, open
questions with GRM in support) comes from sources that the layer above both
(interac_portal) registers here in its AppConfig.ready(): onboarding never
imports them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HandoverSection:
    title: str
    lines: tuple[str, ...]


# source(alt_ids=[...]) -> {alt_id: [HandoverSection, ...]}, in the active language.
HandoverSource = Callable[..., dict[int, list[HandoverSection]]]

_sources: list[HandoverSource] = []


def register_handover_source(source: HandoverSource) -> None:
    """Add a source of sections (idempotent: AppConfig.ready() may run more than once in tests)."""
    if source not in _sources:
        _sources.append(source)


def sections_from_other_apps(*, alt_ids: Iterable[int]) -> dict[int, list[HandoverSection]]:
    """Every registered source's sections for these ALTs, in the order the sources were registered."""
    alt_ids = list(alt_ids)
    found: dict[int, list[HandoverSection]] = {}
    for source in _sources:
        for alt_id, sections in source(alt_ids=alt_ids).items():
            found.setdefault(alt_id, []).extend(sections)
    return found
