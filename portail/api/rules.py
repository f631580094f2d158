"""Pure rules of the API: token format and digest, expiry, request fingerprints, webhook
signatures and the addresses a webhook may target. No I/O here."""

import datetime
import hashlib
import hmac
import ipaddress
import secrets

# "eb_" then 43 URL-safe characters: 256 random bits.
TOKEN_PREFIX = "eb_"  # noqa: S105 - a prefix, not a secret
TOKEN_RANDOM_BYTES = 32
# Characters shown in the list of tokens to tell them apart ("eb_" + 5): 30 bits, not usable.
TOKEN_SHOWN_CHARACTERS = 8
LONGEST_TOKEN_VALIDITY = datetime.timedelta(days=366)
# Webhooks: the signature's timestamp older than this is refused by the receiver (our snippet).
SIGNATURE_TOLERANCE_SECONDS = 300


def new_token() -> str:
    """A fresh access token (256 random bits), shown once to its creator."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 100


def token_digest(*, token: str, key: bytes) -> str:
    """HMAC-SHA256 of the token with the server's key: what the database keeps and looks up.

    A fast keyed hash is right here (unlike passwords): the token has 256 random bits, so no
    guessing can walk its space, and the key (outside the database) makes a stolen table of
    digests useless. A slow hash would only cost every API request its time."""
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def expiry_allowed(*, expires_on: datetime.date, today: datetime.date) -> bool:
    """A token expires after today and at most one year ahead."""
    return today < expires_on <= today + datetime.timedelta(days=365)


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What identifies a request for its Idempotency-Key: method, path and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret."""
    signed = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def is_public_address(address: str) -> bool:
    """Whether a webhook may be sent to this IP address: a global unicast one only (no
    loopback, private, link-local, shared, multicast, reserved or unspecified address)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
