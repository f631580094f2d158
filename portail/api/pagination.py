"""Cursor pagination: an opaque cursor naming the last item of the page (keyset), so a page
costs an index read wherever it is and rows added meanwhile are neither skipped nor repeated."""

import base64
import json

from .problems import Problem

DEFAULT_LIMIT = 100
LARGEST_LIMIT = 1000


def encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode(cursor: str | None, *types: type) -> list | None:
    """The values a cursor carries, of these types; 422 for a cursor we did not give."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(values, types, strict=True)
        )
    ):
        raise invalid()
    return values


def invalid() -> Problem:
    return Problem(
        422,
        "Ce curseur n'est pas valide : reprenez celui de la page précédente.",
        slug="validation-error",
    )
