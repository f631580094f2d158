"""RFC 9457 problem details: every error of the API is ``application/problem+json``.

``type`` names the kind of problem (``urn:espace-bailleur:problem:<slug>``), ``title`` says it
in English for the developer, ``detail`` in French for the landlord: for a refused declaration
it is the very message the screens show, because the same rule produced it.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
DETAILS = {
    400: "Le corps de la requête est illisible : envoyez du JSON (ou un formulaire pour un "
    "fichier), comme le décrit la documentation de l'API.",
    401: "Jeton d'accès absent, inconnu, expiré ou révoqué : créez-en un sur la page "
    "« Accès pour vos logiciels ».",
    403: "Ce jeton ne permet pas cette action.",
    404: "Introuvable, ou hors des parcs de ce jeton.",
    405: "Méthode non acceptée à cette adresse.",
    429: "Trop de requêtes pour ce jeton : réessayez après le délai indiqué (Retry-After).",
    500: "Erreur du portail : réessayez plus tard ; si cela se reproduit, appelez votre Caf.",
}


class Problem(Exception):
    """An error answered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        headers: dict | None = None,
        **extensions,
    ):
        self.status = status
        self.detail = detail or DETAILS.get(status, TITLES.get(status, "Error"))
        self.slug = slug
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(self.detail)


def problem_response(request, problem: Problem) -> JsonResponse:
    body = {
        "type": f"urn:espace-bailleur:problem:{problem.slug}" if problem.slug else "about:blank",
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
        **problem.extensions,
    }
    response = JsonResponse(
        body,
        status=problem.status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def _validation_errors(errors: list[dict]) -> list[dict]:
    return [
        {
            "field": ".".join(
                str(p)
                for p in error.get("loc", ())
                if p not in ("body", "query", "path", "header", "payload")
            ),
            "detail": str(error.get("msg", "")),
        }
        for error in errors
    ]


def install(api) -> None:
    """Register the handlers that turn every error into a problem document."""

    def on_problem(request, exc: Problem):
        return problem_response(request, exc)

    def on_validation(request, exc: ValidationError):
        return problem_response(
            request,
            Problem(
                422,
                "La requête contient des erreurs : voyez la liste « errors ».",
                slug="validation-error",
                errors=_validation_errors(exc.errors),
            ),
        )

    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        slug = "unauthorized" if isinstance(exc, AuthenticationError) else None
        detail = DETAILS.get(status) if status in DETAILS else str(exc)
        return problem_response(request, Problem(status, detail, slug=slug))

    def on_404(request, exc):
        return problem_response(request, Problem(404, slug="not-found"))

    def on_403(request, exc: PermissionDenied):
        return problem_response(request, Problem(403, str(exc) or None, slug="forbidden"))

    def on_exception(request, exc: Exception):
        log.exception("api_error path=%s", request.path)
        return problem_response(request, Problem(500))

    api.add_exception_handler(Exception, on_exception)
    api.add_exception_handler(Problem, on_problem)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_403)
