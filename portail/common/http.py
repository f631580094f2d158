"""Request and response helpers every web layer shares: the client's address, streamed CSV."""

import csv
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

from .network import client_address

BYTE_ORDER_MARK = "\ufeff"


def client_ip(request) -> str | None:
    """The client's address: behind a trusted proxy (TRUSTED_PROXIES), the one it reports
    (portail/common/network.py); otherwise the connection's own."""
    return client_address(request.META) if request is not None else None


class _Echo:
    """A pseudo-buffer: csv.writer hands back each line instead of storing it."""

    def write(self, value):
        return value


def streaming_csv_response(
    rows: Iterable[Sequence],
    *,
    filename: str,
    delimiter: str = ",",
    byte_order_mark: bool = False,
) -> StreamingHttpResponse:
    """A CSV download written line by line as ``rows`` yields them (UTF-8; with a byte order
    mark first for French spreadsheets when asked)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)

    def lines():
        if byte_order_mark:
            yield BYTE_ORDER_MARK
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
