"""API tests run on 27/11/2026 (the 2026 campaign is open), with tokens made by the service
the page uses, and requests signed with them."""

import datetime

import pytest

from tests.rents.conftest import TODAY, _campaign_day  # noqa: F401 - shared fixtures
from tests.rents.conftest import client as client  # noqa: F401
from tests.rents.helpers import make_world


@pytest.fixture
def world(db):
    return make_world(email="gestion@exemple.fr")


def make_token(user, portfolios, *, can_declare=True, days=365, name="Logiciel"):
    from portail.api.services import create_token
    from portail.common import clock

    token, clear = create_token(
        user=user,
        name=name,
        can_declare=can_declare,
        portfolio_ids=[p.pk for p in portfolios],
        expires_on=clock.today() + datetime.timedelta(days=days),
        ip="192.0.2.10",
    )
    return token, clear


class Api:
    """A test client speaking to /api/v1/ with a bearer token."""

    def __init__(self, client, clear):
        self.client = client
        self.headers = {"Authorization": f"Bearer {clear}"}

    def _call(self, method, path, *, headers=None, **kwargs):
        return getattr(self.client, method)(
            f"/api/v1{path}", headers={**self.headers, **(headers or {})}, **kwargs
        )

    def get(self, path, **kwargs):
        return self._call("get", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        if data is not None and "content_type" not in kwargs:
            kwargs["content_type"] = "application/json"
        return self._call("post", path, data=data, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("delete", path, **kwargs)


@pytest.fixture
def api(client, world):
    token, clear = make_token(world.user, [world.portfolio])
    api = Api(client, clear)
    api.token = token
    return api
