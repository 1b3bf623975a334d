from django.contrib.sessions.backends import cached_db

from . import RecordsUserMixin


class SessionStore(RecordsUserMixin, cached_db.SessionStore):
    pass
