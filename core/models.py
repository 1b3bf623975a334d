from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone


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


class SubmittedForm(models.Model):
    """The one-time key of a form that creates something, stored with what it created.

    Every admin add form carries a key (core.adminsite); the first submission stores
    it in the transaction that saves the row. The same form sent again (a double
    click, back and resend, two at the same moment) finds the key taken and
    creates nothing: the database refuses the second insert even when both
    arrive at once.
    """

    key = models.UUIDField(primary_key=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "submitted form"

    def __str__(self):
        return str(self.key)
