"""Errors answered outside the API's own handlers (an unknown path under /api/, a method the
path does not take, a request Django refuses before any view) become problem details too:
every error of the API is application/problem+json."""

from django.http import HttpResponse

from .problems import CONTENT_TYPE, Problem, problem_response

API_PREFIX = "/api/"


class ProblemDetailsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            return _as_problem(request, response)
        return response


def _as_problem(request, response: HttpResponse) -> HttpResponse:
    slug = {404: "not-found", 405: "method-not-allowed"}.get(response.status_code)
    headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
    return problem_response(request, Problem(response.status_code, slug=slug, headers=headers))
