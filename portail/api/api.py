"""The API, version 1 (django-ninja): /api/v1/, its OpenAPI 3.1 document at
/api/v1/openapi.json and its documentation page at /api/v1/docs (served from our own static
files: no CDN, within the portal's Content-Security-Policy)."""

from ninja import NinjaAPI, Swagger

from . import problems
from .auth import TokenAuth
from .endpoints import (
    acknowledgements,
    correspondence,
    declarations,
    files,
    obligations,
    payments,
    portfolios,
    tenancies,
    token,
    webhooks,
)

DESCRIPTION = """API of the Espace bailleur for landlords' software: portfolios, tenancies,
July rents, files of rents and their reports, acknowledgements, Mes courriers.

Authenticate with `Authorization: Bearer eb_…` (a token made on the page « Accès pour vos
logiciels »). Errors are RFC 9457 problem details (`application/problem+json`) whose `detail`
is the portal's French message. Amounts are decimal strings (`"650.50"`), dates ISO 8601.
Guide: docs/api.md of the project."""


def _problem_response(code: str) -> dict:
    return {
        "description": problems.TITLES[int(code)],
        "content": {problems.CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}},
    }


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Errors are documented as application/problem+json, as they are served."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                # Status codes as strings (ninja keeps ints): one key each in the JSON.
                operation["responses"] = {
                    str(code): response for code, response in operation["responses"].items()
                }
                for code, response in operation["responses"].items():
                    content = response.get("content", {})
                    if str(code)[0] in "45" and "application/json" in content:
                        response["content"] = {
                            problems.CONTENT_TYPE: content.pop("application/json")
                        }
                codes = ["401", "429"] if operation.get("security") else []
                if operation.get("parameters") or operation.get("requestBody"):
                    codes.append("422")
                if operation.get("requestBody"):
                    codes.append("400")
                for code in codes:
                    operation["responses"].setdefault(code, _problem_response(code))
        return schema


api = PortalAPI(
    title="Espace bailleur",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
)
problems.install(api)
api.add_router("", token.router)
api.add_router("", portfolios.router)
api.add_router("", tenancies.router)
api.add_router("", declarations.router)
api.add_router("", files.router)
api.add_router("", acknowledgements.router)
api.add_router("", correspondence.router)
api.add_router("", webhooks.router)
api.add_router("", obligations.router)
api.add_router("", payments.router)
