"""Helping a landlord: its page, and each action asked with a reason and audited."""

import datetime

import pytest
from django.urls import reverse

from portail.accounts import lockout
from portail.accounts.models import SignInThrottle
from portail.accounts.temporary_passwords import issue_temporary_password
from portail.audit.models import Event
from portail.common import clock
from portail.correspondence.models import Message
from portail.correspondence.services import queue_message
from tests.factories import PASSWORD, LegalLandlordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    landlord = LegalLandlordFactory(name="SCI Les Tilleuls", email="contact@tilleuls.example")
    admin = UserFactory(
        landlord=landlord,
        full_name="Paul Martin",
        email="paul@tilleuls.example",
        email_confirmed=True,
        is_landlord_admin=True,
    )
    newcomer = UserFactory(landlord=landlord, full_name="Léa Petit")
    return landlord, admin, newcomer


def url(name, landlord, user=None):
    kwargs = {"landlord_id": landlord.pk}
    if user is not None:
        kwargs["user_id"] = user.pk
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def test_the_page_shows_users_states_correspondence_and_events(agent_client, company):
    landlord, admin, newcomer = company
    admin.last_login = clock.now()
    admin.save()
    for _ in range(5):
        lockout.claim_attempt(identifier=admin.identifier, ip=None)
    issue_temporary_password(user=newcomer, channel="letter")
    queue_message(
        user=admin, kind="notice", channel="email", template="notice", context={"title": "Bonjour"}
    )
    page = agent_client.get(url("landlord", landlord)).content.decode()
    for text in [
        "SCI Les Tilleuls",
        admin.identifier,
        "Bloqué jusqu'au",
        "Actif",
        "Jamais connecté",
        "Mot de passe provisoire (courrier) valable jusqu'au",
        "Bonjour",
        "En attente d&#x27;envoi",
        "Mail",
    ]:
        assert text in page, text
    assert "argon2" not in page and "password_hash" not in page


def test_resend_identifier_needs_a_reason_and_goes_by_the_right_channel(agent_client, company):
    landlord, admin, newcomer = company
    page = agent_client.post(url("resend_identifier", landlord, admin), {"reason": ""})
    assert "Indiquez le motif de cette action." in page.content.decode()
    assert not Message.objects.exists()
    agent_client.post(url("resend_identifier", landlord, admin), {"reason": "Appel du bailleur"})
    agent_client.post(url("resend_identifier", landlord, newcomer), {"reason": "Appel"})
    channels = dict(Message.objects.values_list("recipient_id", "channel"))
    assert channels == {admin.pk: "email", newcomer.pk: "letter"}
    event = Event.objects.get(action="staff.identifier_resent", target=admin.identifier)
    assert event.details["reason"] == "Appel du bailleur"
    page = agent_client.get(url("landlord", landlord)).content.decode()
    assert "Identifiant renvoyé par un agent" in page and "Camille agent (agent)" in page
    assert event.details["agent"] == "Camille agent"
    assert event.actor.identifier == "agent.agent"


def test_new_temporary_password_is_issued_at_delivery(agent_client, company):
    landlord, admin, newcomer = company
    agent_client.post(url("new_temporary_password", landlord, newcomer), {"reason": "Perdu"})
    message = Message.objects.get(recipient=newcomer)
    assert message.carries_temporary_password and message.channel == "letter"
    newcomer.refresh_from_db()
    assert newcomer.credentials_letter_sent_at is not None
    assert not newcomer.temporary_passwords.exists()  # made by the delivery task, not here
    assert Event.objects.filter(action="staff.temporary_password_issued").exists()


def test_unlock_lifts_the_lock(agent_client, company):
    landlord, admin, _ = company
    for _ in range(5):
        lockout.claim_attempt(identifier=admin.identifier, ip=None)
    assert lockout.locked_until(identifier=admin.identifier, ip=None)
    agent_client.post(url("unlock", landlord, admin), {"reason": "Bloqué au téléphone"})
    assert lockout.locked_until(identifier=admin.identifier, ip=None) is None
    assert not SignInThrottle.objects.filter(key=admin.identifier).exists()
    assert Event.objects.get(action="staff.unlocked").details["reason"] == "Bloqué au téléphone"


def test_change_email_tells_the_former_address_and_is_audited(agent_client, company):
    landlord, admin, _ = company
    response = agent_client.post(
        url("change_email", landlord, admin),
        {"email": "paul.martin@nouveau.example", "reason": "Nouvelle adresse donnée par appel"},
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert (admin.email, admin.email_confirmed) == ("paul.martin@nouveau.example", True)
    notice = Message.objects.get(kind="staff.email_changed")
    assert notice.email == "paul@tilleuls.example"
    event = Event.objects.get(action="staff.email_changed")
    assert event.details["agent"] == "Camille agent"
    assert "paul" not in str(event.details)  # no personal record in the journal


def test_change_address(agent_client, company):
    landlord, _, _ = company
    response = agent_client.post(
        url("change_address", landlord),
        {
            "address_line1": "1 place de la Mairie",
            "address_line2": "",
            "postcode": "1300",
            "city": "Marseille",
            "reason": "Déménagement",
        },
    )
    assert "Le code postal compte 5 chiffres" in response.content.decode()
    agent_client.post(
        url("change_address", landlord),
        {
            "address_line1": "1 place de la Mairie",
            "postcode": "13002",
            "city": "Marseille",
            "reason": "Déménagement",
        },
    )
    landlord.refresh_from_db()
    assert (landlord.address_line1, landlord.postcode) == ("1 place de la Mairie", "13002")
    assert Event.objects.get(action="staff.address_changed").target == landlord.ref


def test_disabling_a_user_ends_its_sessions(client, supervisor, company):
    from .conftest import sign_in_client

    landlord, admin, _ = company
    landlord_session = type(client)()
    landlord_session.post(
        reverse("accounts:sign_in"), {"identifier": admin.identifier, "password": PASSWORD}
    )
    assert landlord_session.get(reverse("portfolios:home")).status_code == 200
    sign_in_client(client, supervisor)
    client.post(url("disable", landlord, admin), {"reason": "Départ de la société"})
    admin.refresh_from_db()
    assert not admin.is_active
    assert landlord_session.get(reverse("portfolios:home")).status_code == 302
    assert Event.objects.get(action="staff.user_disabled").details["reason"]


def test_a_user_of_another_landlord_is_not_reachable(agent_client, company):
    landlord, _, _ = company
    stranger = UserFactory()
    response = agent_client.get(url("resend_identifier", landlord, stranger))
    assert response.status_code == 404


def test_landlord_page_queries_are_bounded(agent_client, company, django_assert_max_num_queries):
    landlord, admin, _ = company
    for _ in range(5):
        queue_message(
            user=admin, kind="notice", channel="email", template="notice", context={"title": "x"}
        )
    with django_assert_max_num_queries(20):
        agent_client.get(url("landlord", landlord))


def test_states_rule():
    from portail.accounts import rules

    now = datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC)
    later = now + datetime.timedelta(hours=1)
    assert rules.user_states(
        is_active=True, last_login=None, locked_until=later, temporary_until=later, now=now
    ) == [rules.LOCKED, rules.TEMPORARY_PENDING, rules.NEVER_SIGNED_IN]
    assert rules.user_states(
        is_active=False, last_login=now, locked_until=None, temporary_until=None, now=now
    ) == [rules.DISABLED]
