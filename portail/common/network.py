"""Where a request comes from: the client's address as the trusted reverse proxy saw it.

Behind a reverse proxy every request comes from the proxy's own address; lock-outs and rate
limits need the client's. The proxy (deploy/nginx.conf) sets ``X-Real-IP`` to the address it
received the connection from. That header is believed only when the connection itself comes
from an address of ``TRUSTED_PROXIES`` (addresses or networks); from anyone else it is
ignored, so a client cannot choose the address its failures are counted under.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

CLIENT_IP_META = "HTTP_X_REAL_IP"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in proxies)


def _is_trusted(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def from_trusted_proxy(meta: dict) -> bool:
    """The connection comes from one of TRUSTED_PROXIES."""
    return _is_trusted(meta.get("REMOTE_ADDR"))


def client_address(meta: dict) -> str | None:
    """The client's address: the proxy's X-Real-IP if the peer is a trusted proxy and the
    header is a valid address, else the peer's own address."""
    peer = meta.get("REMOTE_ADDR") or None
    if _is_trusted(peer):
        forwarded = meta.get(CLIENT_IP_META, "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            return peer
    return peer
