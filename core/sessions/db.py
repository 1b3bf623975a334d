from django.contrib.sessions.backends import db

from . import RecordsUserMixin


class SessionStore(RecordsUserMixin, db.SessionStore):
    pass
