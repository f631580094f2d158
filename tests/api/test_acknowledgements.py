"""Acknowledgements through the API: the list, one with its lines, and the screen's PDF read
back."""

import subprocess
import uuid


def test_an_acknowledgement_in_json_and_pdf(api, world, tmp_path):
    declared = api.post(
        f"/portfolios/{world.portfolio.pk}/tenancies/{world.known.recipient_number}/july-rent",
        {"year": 2026, "amount": "1 234,56", "confirmed": True},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    ).json()
    base = f"/portfolios/{world.portfolio.pk}/acknowledgements"
    listing = api.get(base).json()["items"]
    assert [a["id"] for a in listing] == [declared["acknowledgement_id"]]
    one = api.get(f"{base}/{declared['acknowledgement_id']}").json()
    assert one["line_count"] == 1
    assert one["lines"][0] == {
        "recipient_number": world.known.recipient_number,
        "tenant_name": "Alice ARNAUD",
        "amount": "1234.56",
        "version": 1,
    }
    pdf = api.get(f"{base}/{declared['acknowledgement_id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "accuse.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Alice ARNAUD" in text and "1 234,56" in text


def test_another_portfolios_acknowledgement_is_404(api, world, client):
    from tests.rents.helpers import make_world

    from .conftest import Api, make_token

    other = make_world()
    other_api = Api(client, make_token(other.user, [other.portfolio])[1])
    declared = other_api.post(
        f"/portfolios/{other.portfolio.pk}/tenancies/{other.known.recipient_number}/july-rent",
        {"year": 2026, "amount": "650.00"},
        headers={"Idempotency-Key": "x"},
    ).json()
    assert (
        api.get(
            f"/portfolios/{world.portfolio.pk}/acknowledgements/{declared['acknowledgement_id']}"
        ).status_code
        == 404
    )
