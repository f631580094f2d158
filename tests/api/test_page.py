"""The page « Accès pour vos logiciels »: for a natural landlord or a legal landlord's
administrator only; a token shown once; revocation at once."""

import re

from portail.api.models import ApiToken
from tests.factories import GrantFactory, LegalLandlordFactory, PortfolioFactory, UserFactory

from .conftest import Api


def _create(client, portfolio, *, scope="declare", expires_on="01/11/2027", name="Gestion"):
    return client.post(
        "/acces-logiciels/jetons/nouveau/",
        {"name": name, "scope": scope, "portfolios": [str(portfolio.pk)], "expires_on": expires_on},
    )


def test_a_natural_landlord_creates_a_token_shown_once_then_revokes_it(client, world):
    client.force_login(world.user)
    response = _create(client, world.portfolio)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    clear = re.search(r'value="(eb_[^"]+)"', response.content.decode()).group(1)
    api = Api(client, clear)
    assert api.get("/portfolios").status_code == 200
    listing = client.get("/acces-logiciels/").content.decode()
    assert "Gestion" in listing and clear not in listing and clear[:8] in listing
    token = ApiToken.objects.get()
    client.post(f"/acces-logiciels/jetons/{token.pk}/revoquer/")
    assert api.get("/portfolios").status_code == 401


def test_expiry_beyond_a_year_is_refused_in_french(client, world):
    client.force_login(world.user)
    response = _create(client, world.portfolio, expires_on="01/01/2028")
    assert "au plus dans un an" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_colleague_who_is_not_administrator_gets_404(client, db):
    landlord = LegalLandlordFactory()
    member = UserFactory(landlord=landlord)
    portfolio = PortfolioFactory(landlord=landlord)
    GrantFactory(user=member, portfolio=portfolio)
    client.force_login(member)
    assert client.get("/acces-logiciels/").status_code == 404
    assert _create(client, portfolio).status_code == 404
    admin = UserFactory(landlord=landlord, is_landlord_admin=True)
    client.force_login(admin)
    assert client.get("/acces-logiciels/").status_code == 200
    assert _create(client, portfolio).status_code == 200


def test_another_landlords_token_cannot_be_revoked(client, world):
    from .conftest import make_token

    other = UserFactory()
    token, clear = make_token(other, [PortfolioFactory(landlord=other.landlord)])
    client.force_login(world.user)
    assert client.post(f"/acces-logiciels/jetons/{token.pk}/revoquer/").status_code == 404
    assert Api(client, clear).get("/portfolios").status_code == 200
