"""Writes of the API: create and revoke access tokens, recognise a token on each request,
register and remove webhook endpoints. Keyword-only, atomic, audited."""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from portail.audit.services import record_event
from portail.common import clock
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message
from portail.portfolios.selectors import portfolios_of_user

from . import rules
from .models import ApiToken, ApiTokenAddress, WebhookEndpoint

log = logging.getLogger(__name__)

# A token's last use is written at most this often (a busy token would write on every call).
LAST_USE_PRECISION_SECONDS = 60
# An address a token was seen from is remembered in the cache this long before it is checked
# against the table again.
KNOWN_ADDRESS_CACHE_SECONDS = 3600


class TokenRefused(ValueError):
    """A token that cannot be made as asked; ``message`` says why, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _digest_key() -> bytes:
    return hashlib.sha256(b"portail.api.tokens:" + settings.SECRET_KEY.encode()).digest()


def digest_of(token: str) -> str:
    return rules.token_digest(token=token, key=_digest_key())


@transaction.atomic
def create_token(
    *,
    user,
    name: str,
    can_declare: bool,
    portfolio_ids: list[int],
    expires_on: datetime.date,
    ip: str | None,
) -> tuple[ApiToken, str]:
    """Make an access token for the user's software: on portfolios the user may see, for at
    most a year; the clear token is returned once and only its digest is kept. The account
    is told by e-mail (a letter without an address)."""
    visible = set(portfolios_of_user(user).values_list("pk", flat=True))
    if not portfolio_ids or not set(portfolio_ids) <= visible:
        raise TokenRefused("Choisissez au moins un de vos parcs.")
    if not rules.expiry_allowed(expires_on=expires_on, today=clock.today()):
        raise TokenRefused(
            "La date d'expiration doit être après aujourd'hui et au plus dans un an."
        )
    clear = rules.new_token()
    expires_at = timezone.make_aware(
        datetime.datetime.combine(expires_on, datetime.time(23, 59, 59))
    )
    token = ApiToken.objects.create(
        landlord_id=user.landlord_id,
        created_by=user,
        name=name.strip()[:100],
        digest=digest_of(clear),
        prefix=clear[: rules.TOKEN_SHOWN_CHARACTERS],
        can_declare=can_declare,
        expires_at=expires_at,
    )
    token.portfolios.set(sorted(set(portfolio_ids)))
    record_event(
        action="api.token_created",
        actor=user,
        target=f"token:{token.pk}",
        ip=ip,
        details={
            "landlord": user.landlord.ref,
            "name": token.name,
            "scopes": token.scopes,
            "portfolios": sorted(set(portfolio_ids)),
            "expires_on": expires_on.isoformat(),
        },
    )
    # The account's contact address (else the creator's); a letter when there is none.
    address = user.landlord.email or user.contact_email
    queue_message(
        user=user,
        kind="api_token_created",
        channel=contact_channel(email=address),
        template="api/messages/token_created",
        context={
            "name": token.name,
            "prefix": token.prefix,
            "scopes_fr": "lecture et déclaration" if can_declare else "lecture seule",
            "expires_on": expires_on.strftime("%d/%m/%Y"),
            "link_path": "/acces-logiciels/",
        },
        email=address or None,
    )
    return token, clear


@transaction.atomic
def revoke_token(*, user, token: ApiToken, ip: str | None) -> ApiToken:
    """Revoke a token at once: its next request gets 401."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.revoked_by = user
        token.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            action="api.token_revoked",
            actor=user,
            target=f"token:{token.pk}",
            ip=ip,
            details={"landlord": user.landlord.ref, "name": token.name},
        )
    return token


def token_in_force(clear: str) -> ApiToken | None:
    """The token with this value if it is neither revoked nor expired and its creator may
    still sign in; None otherwise. One indexed read (the creator and landlord joined)."""
    if not rules.looks_like_token(clear):
        return None
    token = (
        ApiToken.objects.select_related("created_by__landlord")
        .filter(digest=digest_of(clear), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.created_by.is_active:
        return None
    return token


def record_use(*, token: ApiToken, ip: str | None) -> None:
    """Note the token's last use (at most once a minute) and audit the first use from each
    address."""
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        LAST_USE_PRECISION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    if ip is None:
        return
    known = f"api-token-ip:{token.pk}:{ip}"
    if cache.get(known):
        return
    try:
        with transaction.atomic():
            ApiTokenAddress.objects.create(token=token, ip=ip)
            record_event(
                action="api.token_new_address",
                actor=token.created_by,
                target=f"token:{token.pk}",
                ip=ip,
                details={"landlord": token.created_by.landlord.ref, "name": token.name},
            )
    except IntegrityError:
        pass  # seen before (or by a concurrent request)
    cache.set(known, True, KNOWN_ADDRESS_CACHE_SECONDS)


@transaction.atomic
def register_webhook(*, user, landlord, url: str, kinds: list[str], ip: str | None):
    """Register an address the landlord's software is told of the chosen events at; the
    signing secret is returned once (webhooks.signing_secret recomputes it)."""
    from .webhooks import check_target_url, signing_secret

    check_target_url(url)
    endpoint = WebhookEndpoint.objects.create(
        landlord=landlord,
        url=url,
        kinds=sorted(set(kinds)),
        secret_salt=secrets.token_hex(16),
        created_by=user,
    )
    record_event(
        action="api.webhook_registered",
        actor=user,
        target=f"webhook:{endpoint.pk}",
        ip=ip,
        details={"landlord": landlord.ref, "url": url, "events": endpoint.kinds},
    )
    return endpoint, signing_secret(endpoint)


@transaction.atomic
def remove_webhook(*, user, endpoint: WebhookEndpoint, ip: str | None) -> None:
    """Stop telling this address; its pending deliveries go with it."""
    record_event(
        action="api.webhook_removed",
        actor=user,
        target=f"webhook:{endpoint.pk}",
        ip=ip,
        details={"landlord": endpoint.landlord.ref, "url": endpoint.url},
    )
    endpoint.delete()


def purge_idempotency_keys() -> int:
    """Forget the answers kept for Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS."""
    from .idempotency import IDEMPOTENCY_KEY_HOURS
    from .models import IdempotencyKey

    limit = clock.now() - datetime.timedelta(hours=IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=limit).delete()
    return deleted
