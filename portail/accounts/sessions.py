"""The session engine (SESSION_ENGINE): Django's database sessions, read through the shared cache
when there is one (cached_db, settings.SHARED_CACHE), with a new session written once.

Django reserves a new session's key at once (a sign-in's ``cycle_key``): it looks the key up in
the cache and the database, INSERTs an empty row, and the end of the request UPDATEs it with
the signed-in data: four round trips for one row. Here a new session is INSERTed once, at its
first save (the sign-in's, in its transaction), with its data, in one plain statement
(prepared on PostgreSQL: every sign-in runs it; the ORM's model save cost more CPU than the
database spent on it). The key (32 random characters of 36, 165 bits) is unique in practice;
if one ever was not, the INSERT finds the primary key taken, inserts nothing, and another key
is drawn: the check is the database's own. Nothing reads a session's row before its request
ends: only that request knows the key (its cookie is set on the response).
"""

import secrets

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError

from portail.common.prepared import insert

_KEY_LENGTH = 32
_KEYS = len(VALID_KEY_CHARS) ** _KEY_LENGTH


def new_session_key() -> str:
    """32 characters drawn uniformly from Django's 36 (as its get_random_string draws them),
    from one random number instead of 32 draws."""
    number, characters = secrets.randbelow(_KEYS), []
    for _ in range(_KEY_LENGTH):
        number, digit = divmod(number, len(VALID_KEY_CHARS))
        characters.append(VALID_KEY_CHARS[digit])
    return "".join(characters)


class _InsertedOnce(db.SessionStore):
    """Database sessions whose row is made by one INSERT (``save(must_create=True)``)."""

    def save(self, must_create: bool = False) -> None:
        if not must_create or self.session_key is None:
            super().save(must_create)
            return
        # A key already taken inserts nothing (no error: a transaction around stays usable).
        if not insert(
            self.create_model_instance(self._get_session(no_load=True)), skip_conflict=True
        ):
            raise CreateError


class _CachedInsertedOnce(cached_db.SessionStore, _InsertedOnce):
    """The same, read through the shared cache and written to it after the database."""


_Store = _CachedInsertedOnce if settings.SHARED_CACHE else _InsertedOnce


class SessionStore(_Store):
    """A session whose row is INSERTed by its first save, with its data."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._unwritten = False
        self._written: dict | None = None  # the data this request wrote, if it wrote

    def _get_new_session_key(self) -> str:
        return new_session_key()

    def create(self) -> None:
        """A new key; the row is written by the save at the end of the request."""
        self._session_key = self._get_new_session_key()
        self._unwritten = True
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Write the session; a save of the same data again in the same request writes
        nothing (the sign-in saves in its transaction, then the response saves)."""
        if self.session_key is None:
            self.create()
        if not (must_create or self._unwritten):
            if self._written is None or self._written != self._get_session():
                super().save()
                self._written = dict(self._get_session())
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
            self._written = dict(self._get_session())
            return
