"""The onboarding admin: the placement pipeline (GRM, branch staff), handovers to the MC and e-learning."""

from . import checklist, elearning, handover, placement

__all__ = ["checklist", "elearning", "handover", "placement"]
