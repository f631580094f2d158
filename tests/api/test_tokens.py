"""Access tokens: stored hashed, shown once, within the creator's portfolios, revocable at once,
expiring, audited, announced by e-mail, rate limited."""

import datetime

import pytest
import time_machine

from portail.api.models import ApiToken
from portail.audit.models import Event
from portail.correspondence.models import Message
from tests.factories import GrantFactory, LegalLandlordFactory, PortfolioFactory, UserFactory

from .conftest import Api, make_token


def test_token_is_stored_as_a_digest_only_and_announced(world):
    token, clear = make_token(world.user, [world.portfolio])
    row = ApiToken.objects.get(pk=token.pk)
    assert clear.startswith("eb_") and len(clear) > 40
    assert clear not in {row.digest, row.prefix, row.name}
    assert row.prefix == clear[:8]
    assert Event.objects.filter(action="api.token_created", target=f"token:{token.pk}").exists()
    message = Message.objects.get(kind="api_token_created")
    assert message.recipient == world.user and message.channel == "email"
    assert clear not in str(message.context)


def test_a_token_never_reaches_a_portfolio_outside_its_grants(client, world):
    other_of_same_landlord = PortfolioFactory(landlord=world.user.landlord)
    stranger = PortfolioFactory()
    api = Api(client, make_token(world.user, [world.portfolio])[1])
    assert api.get(f"/portfolios/{world.portfolio.pk}").status_code == 200
    for portfolio in (other_of_same_landlord, stranger):
        response = api.get(f"/portfolios/{portfolio.pk}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404
    assert [p["id"] for p in api.get("/portfolios").json()["items"]] == [world.portfolio.pk]


def test_a_token_cannot_be_made_for_a_portfolio_its_creator_does_not_see(world):
    from portail.api.services import TokenRefused

    with pytest.raises(TokenRefused):
        make_token(world.user, [world.portfolio, PortfolioFactory()])
    with pytest.raises(TokenRefused):
        make_token(world.user, [world.portfolio], days=400)


def test_a_colleague_losing_a_grant_takes_it_from_the_token(client, db):
    landlord = LegalLandlordFactory()
    member = UserFactory(landlord=landlord)
    portfolio = PortfolioFactory(landlord=landlord)
    grant = GrantFactory(user=member, portfolio=portfolio)
    api = Api(client, make_token(member, [portfolio])[1])
    assert api.get(f"/portfolios/{portfolio.pk}").status_code == 200
    grant.delete()
    assert api.get(f"/portfolios/{portfolio.pk}").status_code == 404


def test_revoked_or_expired_token_gets_401_at_once(client, world):
    from portail.api.services import revoke_token

    token, clear = make_token(world.user, [world.portfolio], days=30)
    api = Api(client, clear)
    assert api.get("/portfolios").status_code == 200
    revoke_token(user=world.user, token=token, ip="192.0.2.1")
    response = api.get("/portfolios")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "révoqué" in response.json()["detail"]
    assert Event.objects.filter(action="api.token_revoked").count() == 1

    token, clear = make_token(world.user, [world.portfolio], days=30)
    api = Api(client, clear)
    assert api.get("/portfolios").status_code == 200
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=31), tick=False):
        assert api.get("/portfolios").status_code == 401


def test_unknown_or_missing_token_gets_401(client, world):
    assert client.get("/api/v1/portfolios").status_code == 401
    assert Api(client, "eb_" + "x" * 43).get("/portfolios").status_code == 401


def test_first_use_from_a_new_address_is_audited_once(client, world):
    token, clear = make_token(world.user, [world.portfolio])
    api = Api(client, clear)
    for _ in range(3):
        api.get("/portfolios", REMOTE_ADDR="198.51.100.7")
    api.get("/portfolios", REMOTE_ADDR="198.51.100.8")
    events = Event.objects.filter(action="api.token_new_address").values_list("ip", flat=True)
    assert sorted(events) == ["198.51.100.7", "198.51.100.8"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_rate_limit_answers_429_with_retry_after(client, world, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = Api(client, make_token(world.user, [world.portfolio])[1])
    codes = [api.get("/portfolios").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get("/portfolios")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["type"].endswith("rate-limited")
