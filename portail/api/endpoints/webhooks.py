"""Webhook endpoints registered through the API itself: list, register, remove. The same
service as the page « Accès pour vos logiciels » (services.register_webhook, whose
webhooks.check_target_url is the one rule for a target: HTTPS, public addresses only in
production). Reading takes a read token; registering and removing, a declare token. Either way
the token's creator must still manage the landlord's software access (404 otherwise)."""

import datetime
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from portail.common.http import client_ip
from portail.events.models import Kind

from .. import selectors, services
from ..auth import require_declare
from ..problems import Problem
from ..queries import query_parameters
from ..schemas import ProblemOut
from ..webhooks import TargetRefused

router = Router(tags=["webhooks"])

EventKind = Literal[tuple(Kind.values)]  # type: ignore[valid-type]


class WebhookIn(Schema):
    url: str = Field(
        min_length=1,
        max_length=500,
        pattern=r"^[^\x00\s]+$",
        examples=["https://logiciel.exemple.fr/caf/notifications"],
    )
    events: list[EventKind] = Field(min_length=1, max_length=len(Kind.values))


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    created_at: datetime.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret, shown once: keep it in your software.")


class WebhookList(Schema):
    items: list[WebhookOut]


def _landlord(request):
    """The landlord whose webhooks this token manages: its creator's, while the creator is
    still its administrator (the page's rule)."""
    try:
        return selectors.landlord_for_api_admin(request.auth.created_by)
    except Http404:
        raise Http404("Gestion des notifications non autorisée") from None


def _out(endpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.kinds,
        "created_at": endpoint.created_at,
    }


@router.get("/webhooks", response={200: WebhookList, 404: ProblemOut}, operation_id="list_webhooks")
@query_parameters()
def list_webhooks(request):
    """The addresses the landlord's software is told of events at."""
    landlord = _landlord(request)
    return {"items": [_out(e) for e in selectors.webhooks_of_landlord(landlord)]}


@router.post(
    "/webhooks",
    response={201: WebhookCreated, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="create_webhook",
)
@query_parameters()
def create_webhook(request, webhook: WebhookIn):
    """Register an HTTPS address for these events; the answer holds its signing secret, once."""
    require_declare(request)
    landlord = _landlord(request)
    try:
        endpoint, secret = services.register_webhook(
            user=request.auth.created_by,
            landlord=landlord,
            url=webhook.url,
            kinds=list(webhook.events),
            ip=client_ip(request),
        )
    except TargetRefused as refusal:
        raise Problem(
            422,
            refusal.message,
            slug="webhook-refused",
            errors=[{"field": "url", "detail": refusal.message}],
        ) from None
    return Status(201, {**_out(endpoint), "secret": secret})


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, 403: ProblemOut, 404: ProblemOut},
    operation_id="delete_webhook",
)
@query_parameters()
def delete_webhook(request, webhook_id: int):
    """Stop telling this address; its pending deliveries go with it."""
    require_declare(request)
    landlord = _landlord(request)
    endpoint = selectors.webhook_of_landlord(landlord, webhook_id)
    services.remove_webhook(user=request.auth.created_by, endpoint=endpoint, ip=client_ip(request))
    return Status(204, None)
