"""Request helpers every web layer shares: the client's address. (Spreadsheet downloads, the
streamed CSV among them, are written by portail.common.exports.)"""


def client_ip(request) -> str | None:
    """The client's address as the server sees it (behind a proxy: set by the proxy)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None
