"""The onboarding admin: the placement pipeline (GRM, branch staff) and e-learning."""

from . import elearning, placement

__all__ = ["elearning", "placement"]
