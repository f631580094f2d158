"""After a temporary password, only the change form; every session ends after 12 hours and
after 30 idle minutes."""

import datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from portail.common import clock

MUST_CHANGE_PASSWORD = "must_change_password"  # noqa: S105
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# The idle timeout is restarted at most once a minute: a session row is not rewritten on every
# page (it was a database write per request), and the pages warn 5 minutes before the end.
SESSION_TOUCH_INTERVAL = datetime.timedelta(minutes=1)
ABSOLUTE_SESSION_LIMIT = datetime.timedelta(hours=12)
# Changing what recovery relies on (the e-mail) needs a sign-in this recent, or the password.
RECENT_AUTHENTICATION = datetime.timedelta(minutes=15)


def session_too_old(signed_in_at: float, now: datetime.datetime) -> bool:
    """A session lives 12 hours at most, however active (absolute timeout)."""
    return now.timestamp() - signed_in_at > ABSOLUTE_SESSION_LIMIT.total_seconds()


def session_needs_touch(seen_at: float | None, now: datetime.datetime) -> bool:
    """Whether this request restarts the idle timeout (a save gives the session 30 more
    minutes): on the first request, then once the last restart is a minute old."""
    return seen_at is None or now.timestamp() - seen_at >= SESSION_TOUCH_INTERVAL.total_seconds()


def authenticated_recently(signed_in_at: float | None, now: datetime.datetime) -> bool:
    """A password was typed in this session less than 15 minutes ago."""
    if signed_in_at is None:
        return False
    return now.timestamp() - signed_in_at <= RECENT_AUTHENTICATION.total_seconds()


class CredentialsMiddleware:
    """Sign out sessions older than 12 h; restart the idle timeout of active ones; keep a user
    with a temporary password on its change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = clock.now()
            # Sessions opened elsewhere (the staff's admin sign-in) start their clock here.
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now.timestamp())
            if session_too_old(signed_in_at, now):
                logout(request)
                messages.info(
                    request,
                    "Par sécurité, vous avez été déconnecté : on reste connecté 12 heures au plus. "
                    "Reconnectez-vous pour continuer.",
                )
                return redirect("accounts:sign_in")
            if session_needs_touch(request.session.get(SEEN_AT), now):
                request.session[SEEN_AT] = now.timestamp()
            if request.session.get(MUST_CHANGE_PASSWORD):
                allowed = {
                    reverse("accounts:change_password"),
                    reverse("accounts:sign_out"),
                    reverse("accounts:keepalive"),
                }
                if request.path_info not in allowed:
                    return redirect("accounts:change_password")
            response = self.get_response(request)
            # A signed-in page holds personal data: never kept by a browser or a proxy.
            patch_cache_control(response, no_store=True, private=True)
            return response
        return self.get_response(request)
