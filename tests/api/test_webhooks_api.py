"""Webhook endpoints registered through the API: the page's service and rule (HTTPS, public
targets only in production settings, SSRF), a read token lists but cannot register, a token
reaches its own landlord's endpoints only, every registration and removal audited."""

import pytest

from portail.api.models import WebhookEndpoint
from portail.audit.models import Event as AuditEvent
from tests.rents.helpers import make_world

from .conftest import Api, make_token

PUBLIC = "https://93.184.215.14/caf"  # a global address: no DNS needed


def test_a_webhook_is_registered_listed_and_removed(api, world):
    created = api.post("/webhooks", {"url": PUBLIC, "events": ["payment.posted", "file.checked"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["file.checked", "payment.posted"]
    listed = api.get("/webhooks").json()["items"]
    assert [(w["id"], w["url"]) for w in listed] == [(body["id"], PUBLIC)]
    assert "secret" not in listed[0]
    assert api.delete(f"/webhooks/{body['id']}").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="api.webhook")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["api.webhook_registered", "api.webhook_removed"]


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://93.184.215.14/caf", "https://"),
        ("https://127.0.0.1/caf", "réseau privé"),
        ("https://10.1.2.3/caf", "réseau privé"),
        ("https://169.254.169.254/latest/meta-data", "réseau privé"),
        ("https://[::1]/caf", "réseau privé"),
        ("https://localhost/caf", "réseau privé"),
        ("https://[::1/caf", "adresse complète"),
        ("https://exemple.fr:99999/caf", "adresse complète"),
        ("https:///caf", "adresse complète"),
    ],
)
def test_the_pages_rule_refuses_insecure_and_private_targets(api, url, detail):
    response = api.post("/webhooks", {"url": url, "events": ["file.checked"]})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_an_unknown_event_is_refused(api):
    response = api.post("/webhooks", {"url": PUBLIC, "events": ["rent.stolen"]})
    assert response.status_code == 422
    assert not WebhookEndpoint.objects.exists()


def test_a_read_token_lists_but_cannot_register_nor_remove(client, world, api):
    endpoint_id = api.post("/webhooks", {"url": PUBLIC, "events": ["file.checked"]}).json()["id"]
    _token, clear = make_token(world.user, [world.portfolio], can_declare=False, name="Lecture")
    reader = Api(client, clear)
    assert reader.get("/webhooks").status_code == 200
    assert reader.post("/webhooks", {"url": PUBLIC, "events": ["file.checked"]}).status_code == 403
    assert reader.delete(f"/webhooks/{endpoint_id}").status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_another_landlords_endpoint_is_not_found(client, api):
    other = make_world(email="autre@exemple.fr")
    _token, clear = make_token(other.user, [other.portfolio], name="Autre")
    theirs = Api(client, clear).post("/webhooks", {"url": PUBLIC, "events": ["file.checked"]})
    assert api.delete(f"/webhooks/{theirs.json()['id']}").status_code == 404
    assert api.get("/webhooks").json()["items"] == []
    assert WebhookEndpoint.objects.count() == 1
