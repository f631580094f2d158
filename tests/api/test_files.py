"""Files of rents through the API: 202 and the file's URL, its state, its report line by line
with the screen's messages, then one recording with one acknowledgement; the webhooks of a
checked and a recorded file."""

from django.core.files.uploadedfile import SimpleUploadedFile

from portail.api.models import WebhookDelivery
from portail.api.services import register_webhook
from portail.events.models import DomainEvent
from portail.rents.models import BulkImport, JulyRent, RentSubmission


def _deposit(api, world, content: bytes, name="loyers.csv"):
    return api.client.post(
        f"/api/v1/portfolios/{world.portfolio.pk}/files",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        headers=api.headers,
    )


def test_a_file_is_deposited_checked_reported_and_recorded(api, world, settings):
    settings.API_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    register_webhook(
        user=world.user,
        landlord=world.user.landlord,
        url="http://127.0.0.1:9/caf",
        kinds=["file.checked", "file.recorded", "acknowledgement.ready"],
        ip=None,
    )
    content = (
        "numero_allocataire;montant\n"
        f"{world.known.recipient_number};650,50\n"
        f"{world.missing.recipient_number};600\n"
        "9999999;12\n"
    ).encode()
    response = _deposit(api, world, content)
    assert response.status_code == 202, response.content
    state = response.json()
    assert response["Location"] == state["url"]
    state = api.get(state["url"].removeprefix("/api/v1")).json()
    assert (state["status"], state["valid_lines"], state["error_lines"]) == ("checked", 1, 2)

    report = api.get(state["report_url"].removeprefix("/api/v1")).json()
    assert [(i["line"], i["kind"]) for i in report["items"]] == [(3, "error"), (4, "error")]
    assert report["items"][1]["detail"] == "Ce numéro allocataire n'est pas dans ce parc."

    refused = api.post(state["url"].removeprefix("/api/v1") + "/record", {})
    assert refused.status_code == 422
    assert "Ce fichier contient des erreurs" in refused.json()["detail"]
    recorded = api.post(
        state["url"].removeprefix("/api/v1") + "/record", {"valid_lines_only": True}
    )
    assert recorded.status_code == 200 and recorded.json()["status"] == "recorded"
    again = api.post(state["url"].removeprefix("/api/v1") + "/record", {"valid_lines_only": True})
    assert again.json()["acknowledgement_id"] == recorded.json()["acknowledgement_id"]
    assert RentSubmission.objects.count() == 1
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == 650.5
    kinds = sorted(DomainEvent.objects.values_list("kind", flat=True))
    assert kinds == ["acknowledgement.ready", "file.checked", "file.recorded"]
    assert WebhookDelivery.objects.count() == 3


def test_a_damaged_workbook_is_refused_with_the_screens_message_and_nothing_kept(api, world):
    response = _deposit(
        api,
        world,
        b"PK\x03\x04\x14\x00\x00\x00" + bytes(40) + b"not a workbook",
        name="loyers.xlsx",
    )
    assert response.status_code == 422
    assert "Ce classeur XLSX est abîmé" in response.json()["detail"]
    assert not BulkImport.objects.exists()


def test_the_screens_file_limits_hold_through_the_api(api, world):
    """The limits are the deposit service's, whoever deposits: an image (the schema run sent
    one, whose NUL bytes reached the report) and a file over 100,000 lines are refused."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(30)
    response = _deposit(api, world, png, name="file.png")
    assert response.status_code == 422
    assert "ni un CSV ni un classeur XLSX (un fichier PNG)" in response.json()["detail"]
    lines = b"".join(b"%d;650,50\n" % n for n in range(100_001))
    response = _deposit(api, world, lines)
    assert response.status_code == 422
    assert "la limite est de 100 000" in response.json()["detail"]
    assert not BulkImport.objects.exists()


def test_a_read_only_token_cannot_deposit(client, world):
    from .conftest import Api, make_token

    api = Api(client, make_token(world.user, [world.portfolio], can_declare=False)[1])
    assert _deposit(api, world, b"1;2\n").status_code == 403
