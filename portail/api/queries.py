"""Query parameters: an operation names those it reads, any other is refused (422). A typo in
a filter (``stauts=to_declare``) would otherwise answer every tenancy as if filtered."""

import datetime
import functools

from django.utils.dateparse import parse_datetime

from .problems import Problem

# An ISO 8601 instant with its offset (2026-09-01T00:00:00Z, …+02:00): never a bare number.
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def instant(text: str) -> datetime.datetime:
    """The ``updated_since`` instant; 422 in French for a date that does not exist."""
    try:
        found = parse_datetime(text)
        found = found and found.astimezone(datetime.UTC)  # 0001-01-01T00:00+01:00 overflows
    except (ValueError, OverflowError):
        found = None
    if found is None:
        raise Problem(
            422,
            "La date updated_since doit être un instant ISO 8601, par exemple "
            "2026-09-01T00:00:00Z.",
            slug="validation-error",
        )
    return found


def query_parameters(*names: str):
    """Refuse the query parameters the decorated operation does not read."""

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            unknown = sorted(set(request.GET) - set(names))
            if unknown:
                raise Problem(
                    422,
                    f"Paramètre inconnu : {', '.join(unknown)}. Voyez la documentation de l'API.",
                    slug="validation-error",
                    errors=[
                        {"field": name, "detail": "Unknown query parameter"} for name in unknown
                    ],
                )
            return view(request, *args, **kwargs)

        return checked

    return decorate
