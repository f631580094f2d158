"""Query parameters: an operation names those it reads, any other is refused (422). A typo in
a filter (``stauts=to_declare``) would otherwise answer every tenancy as if filtered."""

import functools

from .problems import Problem


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
