"""Finding a landlord by each key, through indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portail.accounts.models import Landlord
from portail.backoffice import search
from tests.factories import (
    LegalLandlordFactory,
    PortfolioFactory,
    TenancyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    landlord = LegalLandlordFactory(name="SCI Les Tilleuls", email="Gestion@Tilleuls.example")
    user = UserFactory(landlord=landlord, email="Paul.Martin@Tilleuls.example")
    tenancy = TenancyFactory(portfolio=PortfolioFactory(landlord=landlord))
    LegalLandlordFactory(name="SCI Les Acacias")
    return landlord, user, tenancy


def names(text):
    return [landlord.name for landlord in search.find_landlords(text).landlords]


def test_each_key_finds_the_landlord(company):
    landlord, user, tenancy = company
    number = user.user_number
    for typed in [
        "sci les til",
        "SCI LES TILLEULS",
        landlord.siret,
        f"{landlord.siret[:3]} {landlord.siret[3:6]} {landlord.siret[6:9]} {landlord.siret[9:]}",
        user.identifier.lower(),
        f"{number[:4]} {number[4:8]} {number[8:]}",
        "gestion@tilleuls.example",
        "PAUL.MARTIN@tilleuls.example",
        tenancy.recipient_number,
        landlord.ref.lower(),
    ]:
        assert names(typed) == ["SCI Les Tilleuls"], typed


def test_the_key_is_detected_with_the_portal_parsers(company):
    landlord, user, tenancy = company
    kinds = {
        user.identifier: [search.IDENTIFIER],
        user.user_number: [search.USER_NUMBER, search.RECIPIENT_NUMBER],
        landlord.siret: [search.SIRET],
        "a@b.fr": [search.EMAIL],
        "1234567": [search.RECIPIENT_NUMBER],
        "Dupont": [search.REF, search.NAME],
    }
    for typed, expected in kinds.items():
        assert [key.kind for key in search.detect_keys(typed)] == expected, typed


def test_a_prefix_is_required_and_nothing_typed_finds_nothing(company):
    assert names("Tilleuls") == []  # the start of the name, not any word
    assert names("SCI") == ["SCI Les Acacias", "SCI Les Tilleuls"]
    assert names("") == []


def test_a_search_is_a_few_queries(company):
    with CaptureQueriesContext(connection) as queries:
        search.find_landlords("sci les")
    assert len(queries) <= 2


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_name_and_email_searches_use_their_indexes(company, django_db_blocker):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")  # a tiny table: ask whether it could
    name = search.landlords_for_key(search.Key(search.NAME, "sci les"))
    index = "name_c" if connection.vendor == "postgresql" else "name_upper"
    plan = _plan(name.order_by("name_upper", "pk")[:50])
    assert f"backoffice_landlord_{index}" in plan
    # The index gives the order: no sort step.
    assert "Sort" not in plan.replace("Index", "") and "TEMP B-TREE" not in plan
    email = Landlord.objects.annotate(email_lower=search.Lower("email")).filter(
        email_lower="gestion@tilleuls.example"
    )
    assert "backoffice_landlord_email_lower" in _plan(email)


def test_an_exact_key_leads_straight_to_the_landlord(agent_client, company):
    from django.urls import reverse

    landlord, user, _ = company
    response = agent_client.get(reverse("backoffice:search"), {"q": landlord.siret})
    assert response.url == reverse("backoffice:landlord", args=[landlord.pk])
    page = agent_client.get(reverse("backoffice:search"), {"q": "sci les til"})
    assert page.status_code == 200 and "1 bailleur trouvé" in page.content.decode()
