from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    """Django's session row with the signed-in user's id beside it, so that every session of one
    person can be ended at once (an account locked out) without reading anyone else's."""

    user_id = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_user_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions.db import SessionStore

        return SessionStore
