"""Who calls: ``Authorization: Bearer eb_…`` checked on every request, then the token's rate
limit. ``request.auth`` is the ApiToken; ``request.user`` becomes the user who made it, so the
domain's own checks (portfolio_for_user, may_declare) apply to the token as to that user."""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer

from portail.common.http import client_ip

from . import services
from .problems import Problem

RATE_WINDOW_SECONDS = 60


def check_rate(token_id: int) -> None:
    """Count one request of this token in the current minute (one atomic increment in the
    shared cache); past API_RATE_LIMIT_PER_MINUTE, 429 with Retry-After: the seconds left."""
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"api-rate:{token_id}:{window}"
    cache.add(key, 0, RATE_WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS + 5)
        count = 1
    if count > settings.API_RATE_LIMIT_PER_MINUTE:
        retry_after = max(1, int((window + 1) * RATE_WINDOW_SECONDS - now) + 1)
        raise Problem(429, slug="rate-limited", headers={"Retry-After": str(retry_after)})


class TokenAuth(HttpBearer):
    """Bearer token of the "Accès pour vos logiciels" page."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        api_token = services.token_in_force(token)
        if api_token is None:
            return None  # 401
        check_rate(api_token.pk)
        services.record_use(token=api_token, ip=client_ip(request))
        request.user = api_token.created_by
        return api_token


def require_declare(request) -> None:
    """A read-only token cannot write (403)."""
    if not request.auth.can_declare:
        raise Problem(
            403, "Ce jeton est en lecture seule : il ne permet pas de déclarer.", slug="forbidden"
        )
