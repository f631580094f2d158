"""The session engine (SESSION_ENGINE): Django's database sessions, read through the shared cache
when there is one (cached_db, settings.SHARED_CACHE), with a new session written once.

Django reserves a new session's key at once (a sign-in's ``cycle_key``): it looks the key up in
the cache and the database, INSERTs an empty row, and the end of the request UPDATEs it with
the signed-in data: four round trips for one row. Here a new session is INSERTed once, at the
end of the request, with its data; the key (32 random characters of 36, 165 bits) is unique in
practice, and if one ever was not, the INSERT fails on the primary key and another key is
drawn: the check is the database's own. Nothing reads a session's row before its request ends:
only that request knows the key (its cookie is set on the response).
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string

_Store = cached_db.SessionStore if settings.SHARED_CACHE else db.SessionStore


class SessionStore(_Store):
    """A session whose row is INSERTed by its first save, with its data."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._unwritten = False

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def create(self) -> None:
        """A new key; the row is written by the save at the end of the request."""
        self._session_key = self._get_new_session_key()
        self._unwritten = True
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        if not (must_create or self._unwritten):
            super().save()
            return
        while True:
            try:
                super().save(must_create=True)
            except CreateError:
                if not self._unwritten:
                    raise
                self._session_key = self._get_new_session_key()
                continue
            self._unwritten = False
            return
