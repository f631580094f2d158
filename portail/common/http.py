"""Request helpers every web layer shares: the client's address. (Spreadsheet downloads, the
streamed CSV among them, are written by portail.common.exports.)"""

from .network import client_address


def client_ip(request) -> str | None:
    """The client's address: behind a trusted proxy (TRUSTED_PROXIES), the one it reports
    (portail/common/network.py); otherwise the connection's own."""
    return client_address(request.META) if request is not None else None
