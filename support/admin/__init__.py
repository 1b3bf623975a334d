"""The support app's admin: requests (triage), the on-call rota, visits, counter cards."""

from . import cards, oncall, requests, visits

__all__ = ["cards", "oncall", "requests", "visits"]
