"""Staff accounts in each role, with an enrolled TOTP device, and clients signed in as them."""

import pytest
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portail.accounts.middleware import SIGNED_IN_AT
from portail.accounts.models import User
from portail.backoffice.roles import permissions_of
from portail.backoffice.signin import permit_enrolment
from portail.common import clock

STAFF_PASSWORD = "Agent-mot-de-passe-solide-2026"


def role_group(role: str) -> Group:
    """The role's group as the roles migration made it (made again after a browser test's flush)."""
    from django.contrib.auth.models import Permission

    group, created = Group.objects.get_or_create(name=role)
    if created:
        for code in permissions_of(role):
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def make_staff(role: str, identifier: str | None = None, *, device: bool = True) -> User:
    user = User.objects.create_user(
        identifier or f"agent.{role}", STAFF_PASSWORD, is_staff=True, full_name=f"Camille {role}"
    )
    user.groups.add(role_group(role))
    if device:
        TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    else:
        permit_enrolment(user=user, granted_by=None)
    return user


def current_code(user: User) -> str:
    """The code the agent's application shows now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def sign_in_client(client, user: User, *, verified: bool = True):
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = clock.now().timestamp()
    if verified:
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


@pytest.fixture
def agent(db):
    return make_staff("agent")


@pytest.fixture
def supervisor(db):
    return make_staff("supervisor")


@pytest.fixture
def administrator(db):
    return make_staff("administrator")


@pytest.fixture
def agent_client(client, agent):
    return sign_in_client(client, agent)


@pytest.fixture
def supervisor_client(client, supervisor):
    return sign_in_client(client, supervisor)
