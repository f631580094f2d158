"""A legal landlord's administrator manages its team: users, rights per parc, contact e-mail."""

import pytest
from django.urls import reverse

from portail.accounts.models import User
from portail.audit.models import Event
from portail.correspondence.models import Message
from portail.portfolios.models import Grant
from portail.portfolios.selectors import portfolios_of_user
from portail.team.models import Removal
from tests.factories import (
    PASSWORD,
    LandlordFactory,
    LegalLandlordFactory,
    PortfolioFactory,
    TenancyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    landlord = LegalLandlordFactory(email="contact@sci.example")
    admin = UserFactory(landlord=landlord, is_landlord_admin=True, full_name="Anne ADMIN")
    north = PortfolioFactory(landlord=landlord, name="Nord")
    south = PortfolioFactory(landlord=landlord, name="Sud")
    return landlord, admin, north, south


def add(client, north, south, **fields):
    data = {
        "full_name": "Paul GESTION",
        "email": "paul@sci.example",
        f"right_{north.pk}": "consult",
        f"right_{south.pk}": "",
    } | fields
    return client.post(reverse("team:add"), data)


def test_administrator_adds_a_colleague_who_gets_credentials_by_email(client, company):
    landlord, admin, north, south = company
    client.force_login(admin)
    response = add(client, north, south)
    assert response.status_code == 302
    member = User.objects.get(email="paul@sci.example")
    assert member.landlord == landlord and not member.is_landlord_admin
    assert member.identifier.startswith("LOG") and member.user_number
    assert list(portfolios_of_user(member)) == [north]
    assert Grant.objects.get(user=member).right == Grant.Right.CONSULT
    message = Message.objects.get(recipient=member)
    assert message.channel == "email" and message.email == "paul@sci.example"
    assert message.carries_temporary_password
    event = Event.objects.get(action="team.user_added")
    assert event.actor == admin and event.target == member.identifier
    page = client.get(reverse("team:journal")).content.decode()
    assert "Utilisateur ajouté" in page and "Nord : Consulter" in page


def test_a_colleague_needs_a_parc_or_the_administrator_role(client, company):
    _landlord, admin, north, south = company
    client.force_login(admin)
    response = add(client, north, south, **{f"right_{north.pk}": ""})
    assert response.status_code == 200
    assert "Choisissez au moins un parc" in response.content.decode()
    assert not User.objects.filter(email="paul@sci.example").exists()


def test_bad_email_is_refused_in_french_and_the_name_is_kept(client, company):
    _landlord, admin, north, south = company
    client.force_login(admin)
    response = add(client, north, south, email="paul-at-sci")
    page = response.content.decode()
    assert "Saisissez une adresse mail complète" in page
    assert 'value="Paul GESTION"' in page
    assert User.objects.count() == 1


def test_rights_change_and_are_journalled(client, company):
    _landlord, admin, north, south = company
    member = UserFactory(landlord=admin.landlord, full_name="Paul")
    Grant.objects.create(user=member, portfolio=north, right="consult")
    client.force_login(admin)
    client.post(
        reverse("team:member", args=[member.pk]),
        {f"right_{north.pk}": "", f"right_{south.pk}": "declare"},
    )
    assert list(portfolios_of_user(member)) == [south]
    assert Grant.objects.get(user=member).right == "declare"
    changes = Event.objects.get(action="team.access_changed").details["changes"]
    assert changes == {"Nord": "aucun accès", "Sud": "Consulter et déclarer"}


def test_the_last_active_administrator_cannot_step_down_be_suspended_or_removed(client, company):
    _landlord, admin, north, south = company
    client.force_login(admin)
    response = client.post(
        reverse("team:member", args=[admin.pk]), {f"right_{north.pk}": "declare"}
    )
    assert "au moins un administrateur actif" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_landlord_admin
    second = UserFactory(landlord=admin.landlord, is_landlord_admin=True, full_name="Bob")
    client.force_login(second)
    client.post(reverse("team:suspend", args=[admin.pk]))
    admin.refresh_from_db()
    assert not admin.is_active
    response = client.post(reverse("team:remove", args=[second.pk]), follow=True)
    assert "au moins un administrateur actif" in response.content.decode()
    assert not Removal.objects.exists()


def test_suspension_ends_the_colleagues_session_and_reactivation_restores_it(client, company):
    _landlord, admin, north, _south = company
    member = UserFactory(landlord=admin.landlord, full_name="Paul")
    Grant.objects.create(user=member, portfolio=north, right="declare")
    from django.test import Client

    colleague = Client()
    colleague.force_login(member)
    tenants = reverse("rents:tenants", args=[north.pk])
    assert colleague.get(tenants).status_code == 200
    client.force_login(admin)
    client.post(reverse("team:suspend", args=[member.pk]))
    assert colleague.get(tenants).status_code == 302  # signed out: back to the sign-in page
    assert not client.login(identifier=member.identifier, password=PASSWORD)
    client.force_login(admin)
    client.post(reverse("team:reactivate", args=[member.pk]))
    member.refresh_from_db()
    assert member.is_active
    actions = list(Event.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["team.user_suspended", "team.user_reactivated"]


def test_removed_colleague_disappears_but_stays_named_in_history(client, company):
    _landlord, admin, north, _south = company
    member = UserFactory(landlord=admin.landlord, full_name="Paul RETIRÉ")
    Grant.objects.create(user=member, portfolio=north, right="declare")
    client.force_login(admin)
    confirm = client.get(reverse("team:remove", args=[member.pk]))
    assert "Retirer Paul RETIRÉ ?" in confirm.content.decode()
    client.post(reverse("team:remove", args=[member.pk]))
    member.refresh_from_db()
    assert not member.is_active and not Grant.objects.filter(user=member).exists()
    assert Removal.objects.get(user=member).removed_by == admin
    listing = client.get(reverse("team:team")).content.decode()
    assert "Paul RETIRÉ" not in listing.split("<tbody>")[1].split("</tbody>")[0]
    assert client.get(reverse("team:member", args=[member.pk])).status_code == 404


def test_contact_email_changes_only_with_the_password_and_the_former_address_is_told(
    client, company
):
    landlord, admin, _north, _south = company
    client.force_login(admin)
    url = reverse("team:contact_email")
    refused = client.post(url, {"new_email": "nouveau@sci.example", "password": "pas le bon"})
    assert "Mot de passe incorrect" in refused.content.decode()
    landlord.refresh_from_db()
    assert landlord.email == "contact@sci.example"
    assert not Message.objects.exists()
    client.post(url, {"new_email": "nouveau@sci.example", "password": PASSWORD})
    landlord.refresh_from_db()
    assert landlord.email == "nouveau@sci.example"
    told = Message.objects.get(kind="team.contact_email_changed")
    assert told.email == "contact@sci.example"
    event = Event.objects.get(action="team.contact_email_changed")
    assert event.details["former"] == "contact@sci.example"
    assert "password" not in str(event.details).lower()


def test_nobody_but_a_legal_landlords_administrator_reaches_the_team_pages(client, company):
    _landlord, admin, north, _south = company
    member = UserFactory(landlord=admin.landlord)
    natural = UserFactory(landlord=LandlordFactory())
    other_company_admin = UserFactory(landlord=LegalLandlordFactory(), is_landlord_admin=True)
    urls = [
        reverse("team:team"),
        reverse("team:add"),
        reverse("team:member", args=[admin.pk]),
        reverse("team:remove", args=[admin.pk]),
        reverse("team:contact_email"),
        reverse("team:journal"),
    ]
    for user in (member, natural):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    # Another company's administrator reaches its own team, never this one's users.
    client.force_login(other_company_admin)
    for name in ("member", "remove"):
        assert client.get(reverse(f"team:{name}", args=[admin.pk])).status_code == 404
    for name in ("suspend", "reactivate", "remove"):
        assert client.post(reverse(f"team:{name}", args=[member.pk])).status_code == 404
    member.refresh_from_db()
    assert member.is_active


def test_a_user_without_a_grant_gets_404_on_every_url_of_that_parc(client, company):
    _landlord, admin, north, south = company
    member = UserFactory(landlord=admin.landlord)
    Grant.objects.create(user=member, portfolio=north, right="declare")
    tenancy = TenancyFactory(portfolio=south)
    client.force_login(member)
    for url in (
        reverse("rents:tenants", args=[south.pk]),
        reverse("rents:declare", args=[south.pk, tenancy.pk]),
        reverse("rents:receipt", args=[south.pk, tenancy.pk]),
        reverse("rents:history", args=[south.pk]),
        reverse("rents:bulk_new", args=[south.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("rents:tenants", args=[north.pk])).status_code == 200


def test_a_natural_landlord_sees_nothing_of_teams(client):
    user = UserFactory(landlord=LandlordFactory())
    PortfolioFactory(landlord=user.landlord)
    client.force_login(user)
    page = client.get(reverse("portfolios:home"), follow=True).content.decode()
    assert "Utilisateurs" not in page
