"""schemathesis against the OpenAPI document, through the WSGI application with a real token
(read and declare) on the test database (PostgreSQL in CI): no 500, every answer conforms to
the document (status, content type, headers, body). Bounded: a few examples per operation."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import make_token

EXAMPLES_PER_OPERATION = 15


def _schema():
    """The document the API serves at /api/v1/openapi.json, called through the WSGI
    application (the served document itself is checked by test_openapi_document)."""
    from config.wsgi import application
    from portail.api.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


@pytest.fixture
def wsgi_requests(world, settings):
    """The connection stays open between requests, as Django's test client keeps it: the
    test's transaction holds the data."""
    from django.core import signals
    from django.db import close_old_connections

    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    return {"Authorization": f"Bearer {make_token(world.user, [world.portfolio])[1]}"}


@pytest.fixture
def reports(world):
    """An unpaid-rent report and a departure in the token's portfolio, for the operations that
    follow one (correct, withdraw, repayment plan, paid off) to run their real paths."""
    import datetime
    import uuid
    from decimal import Decimal

    from portail.obligations import services
    from tests.obligations.conftest import seed_rules

    seed_rules()
    change = services.report_change(
        user=world.user,
        portfolio=world.portfolio,
        tenancy_id=world.missing.pk,
        content={"kind": "departure", "move_out_date": datetime.date(2026, 12, 31)},
        token=uuid.uuid4(),
    )
    unpaid = services.report_unpaid_rent(
        user=world.user,
        portfolio=world.portfolio,
        tenancy_id=world.known.pk,
        first_unpaid_month=datetime.date(2026, 9, 1),
        monthly_rent=Decimal("650.00"),
        monthly_charges=Decimal("50.00"),
        aid=None,
        amount_owed=Decimal("2100.00"),
        tenant_pays_part=False,
        token=uuid.uuid4(),
    )
    return {"change_id": change.pk, "report_id": unpaid.pk}


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_document(case, wsgi_requests, bearer, world, reports):
    # Most generated ids name nothing (404): half the cases are pointed at the token's
    # portfolio and a tenancy, a report or a change in it, so declarations, files, lists and
    # the obligations' steps run their real paths.
    parameters = case.path_parameters or {}
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if positive and "portfolio_id" in parameters and hash(str(parameters)) % 2 == 0:
        parameters["portfolio_id"] = world.portfolio.pk
        if "recipient_number" in parameters:
            parameters["recipient_number"] = world.known.recipient_number
        for name in set(reports) & set(parameters):
            parameters[name] = reports[name]
    # Every check but "schema-valid data is accepted": the domain refuses data a schema cannot
    # describe (an amount written "1.234", a July N-1 rent unknown, a cursor we did not give),
    # with 422 and the screen's message; that answer is itself checked against the document.
    case.call_and_validate(headers=bearer, excluded_checks=[positive_data_acceptance])


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document == _schema().raw_schema
