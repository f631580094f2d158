"""Staff sign-in: password then TOTP code, enrolment of a device, staff's own lock-out."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portail.accounts.models import SignInThrottle
from portail.audit.models import Event
from portail.backoffice import signin

from .conftest import STAFF_PASSWORD, current_code, make_staff

pytestmark = pytest.mark.django_db
SIGN_IN = "/agence/connexion/"


def password_step(client, identifier, password=STAFF_PASSWORD, next_url=""):
    return client.post(SIGN_IN, {"identifier": identifier, "password": password, "next": next_url})


def test_password_then_code_signs_the_agent_in_and_back_where_it_went(client):
    agent = make_staff("agent")
    response = password_step(client, agent.identifier, next_url="/agence/quittances/")
    assert response.url.startswith(reverse("backoffice:code"))
    # The password alone opens nothing.
    assert client.get("/agence/bailleurs/").status_code == 302
    response = client.post(
        response.url, {"code": current_code(agent), "next": "/agence/quittances/"}
    )
    assert response.url == "/agence/quittances/"
    assert client.get("/agence/quittances/").status_code == 200
    assert Event.objects.filter(action="staff.sign_in.success", actor=agent).exists()


def test_wrong_password_and_unknown_agent_get_the_same_answer(client):
    make_staff("agent")
    known = password_step(client, "agent.agent", "pas le bon").content.decode()
    unknown = password_step(client, "agent.inconnu", "pas le bon").content.decode()
    assert "Identifiant ou mot de passe incorrect." in known
    assert "Identifiant ou mot de passe incorrect." in unknown
    assert Event.objects.filter(action="staff.sign_in.failure").count() == 2


def test_a_landlord_cannot_use_the_staff_form(client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    page = password_step(client, user.identifier, PASSWORD).content.decode()
    assert "Identifiant ou mot de passe incorrect." in page


def test_wrong_codes_lock_the_agent_out_on_staff_keys_only(client):
    agent = make_staff("agent")
    password_step(client, agent.identifier)
    for _ in range(5):
        page = client.post(reverse("backoffice:code"), {"code": "000000"}).content.decode()
    assert "bloquée par sécurité" in page
    keys = set(SignInThrottle.objects.values_list("key", flat=True))
    assert "staff:agent.agent" in keys and "agent.agent" not in keys
    # Even the right password and code are refused while locked.
    page = password_step(client, agent.identifier).content.decode()
    assert "bloquée par sécurité" in page
    assert Event.objects.filter(action="staff.sign_in.lockout").exists()


def test_first_sign_in_enrols_a_device_with_a_qr_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries down; not our subject here
    agent = make_staff("agent", device=False)
    response = password_step(client, agent.identifier)
    assert response.url.startswith(reverse("backoffice:enrol"))
    page = client.get(response.url).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert client.post(reverse("backoffice:enrol"), {"code": "123"}).status_code == 200
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("backoffice:enrol"), {"code": code})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/agence/bailleurs/").status_code == 200
    assert Event.objects.filter(action="staff.totp.enrolled", actor=agent).exists()


def test_the_code_step_expires_with_its_pending_sign_in(client):
    assert client.get(reverse("backoffice:code")).url == reverse("backoffice:sign_in")


def test_create_staff_command_makes_an_account_in_its_role(monkeypatch, capsys):
    from django.core.management import call_command

    monkeypatch.setenv("PORTAIL_STAFF_PASSWORD", STAFF_PASSWORD)
    call_command("create_staff", "camille.martin", "--role", "supervisor", "--no-input")
    from portail.accounts.models import User

    user = User.objects.get(identifier="camille.martin")
    assert user.is_staff and user.landlord_id is None and user.check_password(STAFF_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]
    assert STAFF_PASSWORD not in capsys.readouterr().out


def test_a_code_works_once(client):
    """A code seen over a shoulder or replayed from a proxy log does not open a second session."""
    agent = make_staff("agent")
    code = current_code(agent)
    password_step(client, agent.identifier)
    assert client.post(reverse("backoffice:code"), {"code": code}).status_code == 302
    other = type(client)()
    password_step(other, agent.identifier)
    page = other.post(reverse("backoffice:code"), {"code": code}).content.decode()
    assert "Ce code ne correspond pas" in page


def test_a_password_alone_never_enrols_a_device(client, settings):
    """An agent whose device was deleted signs in only once an administrator opens enrolment."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    agent = make_staff("agent")
    TOTPDevice.objects.filter(user=agent).delete()
    page = password_step(client, agent.identifier).content.decode()
    assert "Demandez à un administrateur" in page
    assert client.get(reverse("backoffice:enrol")).url == reverse("backoffice:sign_in")
    administrator = make_staff("administrator")
    admin = type(client)()
    from .conftest import sign_in_client

    sign_in_client(admin, administrator)
    response = admin.post(reverse("admin:backoffice_enrolmentpermit_add"), {"user": agent.pk})
    assert response.status_code == 302
    assert password_step(client, agent.identifier).url.startswith(reverse("backoffice:enrol"))
    client.get(reverse("backoffice:enrol"))
    device = TOTPDevice.objects.get(user=agent)
    client.post(reverse("backoffice:enrol"), {"code": f"{totp(device.bin_key):06d}"})
    assert client.get("/agence/bailleurs/").status_code == 200
    assert not signin.enrolment_allowed(agent)  # used once
    event = Event.objects.get(action="staff.totp.enrolment_permitted", actor=administrator)
    assert event.target == agent.identifier
