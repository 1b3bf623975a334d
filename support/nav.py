"""The number beside "Support requests" in the navigation: the ALT's requests with a new reply.

The dashboard and a request's page count it with the rows they read anyway and
say so (`new_replies_counted`); the pages whose content is kept keep it along
with that content (`new_replies_for_navigation`, contacts.people_cache); any
other page counts it with one query, kept while none of the ALT's rows changed,
and only when the navigation shows it (an ALT's page; never staff's).
"""

from functools import cached_property

from django.http import HttpRequest

from contacts.people_cache import kept_for_alt
from contacts.selectors import is_alt

from .selectors import new_reply_count_for_alt

_COUNTED = "_support_new_replies"


def new_replies_for_navigation(request: HttpRequest) -> int:
    """The count as an ALT's kept page keeps it along with its content (contacts.people_cache)."""
    counted = getattr(request, _COUNTED, None)
    return counted if counted is not None else new_reply_count_for_alt(user_id=request.user.pk)


def new_replies_counted(request: HttpRequest, count: int) -> None:
    """The page already knows the count: the navigation uses it instead of asking again."""
    setattr(request, _COUNTED, count)


class NewReplies:
    """`count`, read the first time a template asks for it."""

    def __init__(self, request: HttpRequest):
        self.request = request

    @cached_property
    def count(self) -> int:
        counted = getattr(self.request, _COUNTED, None)
        if counted is not None:
            return counted
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff or not is_alt(user):
            return 0
        # Kept while none of the ALT's rows changed (core.versions), as the pages are.
        return kept_for_alt(user.pk, "new-replies", lambda: new_reply_count_for_alt(user_id=user.pk))
