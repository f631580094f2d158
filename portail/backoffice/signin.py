"""Staff sign-in: password, then a TOTP code from an enrolled device; staff's own lock-out.

Staff lock-outs reuse the portal's growing lock-out (accounts.lockout) on keys of their own
(``staff:<identifier>`` and ``staff:<ip>``): a flood on the landlords' form never locks an agent
out, and the reverse. A wrong TOTP code counts as a failed sign-in. As for landlords, each
attempt is counted before its password or code is checked, and every password check costs one
Argon2 verification whatever the answer (accounts.verification).
"""

import base64
import datetime
import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portail.accounts import lockout, verification
from portail.accounts.models import User
from portail.audit.services import record_event
from portail.common import clock

from .models import EnrolmentPermit

DEVICE_NAME = "Application d'authentification"
ISSUER = "Espace bailleur"


def _key(value: str | None) -> str | None:
    return f"staff:{value}" if value else None


@dataclass(frozen=True)
class StaffCheck:
    user: User | None = None
    locked_until: datetime.datetime | None = None


def _claim(*, identifier: str, ip: str | None) -> lockout.Claim:
    return lockout.claim_attempt(identifier=_key(identifier), ip=_key(ip))


def _fail(*, identifier: str, ip: str | None, action: str, claim: lockout.Claim) -> StaffCheck:
    """A failed attempt, already counted by its claim: journalled, with the lock it started."""
    record_event(action=action, target=identifier, ip=ip)
    if claim.lock_started:
        record_event(action="staff.sign_in.lockout", target=identifier, ip=ip)
    return StaffCheck(locked_until=claim.lock_started)


def check_staff_password(*, identifier: str, password: str, ip: str | None) -> StaffCheck:
    """First factor of an agent's sign-in; refused the same way for any unknown or wrong one,
    with the same hashing work (one verification) on every branch."""
    claim = _claim(identifier=identifier, ip=ip)
    user = User.objects.filter(
        identifier=identifier, is_staff=True, is_active=True, landlord__isnull=True
    ).first()
    if not claim.allowed:
        verification.burn(password)
        record_event(action="staff.sign_in.refused_locked", target=identifier, ip=ip)
        return StaffCheck(locked_until=claim.locked_until)
    if not verification.verify_chosen_password(user=user, password=password):
        return _fail(identifier=identifier, ip=ip, action="staff.sign_in.failure", claim=claim)
    lockout.release_attempt(identifier=_key(identifier), ip=_key(ip))
    return StaffCheck(user=user)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def verify_code(*, user: User, code: str, ip: str | None) -> StaffCheck | TOTPDevice:
    """Second factor: the device on success, else a StaffCheck (counted as a failure)."""
    claim = _claim(identifier=user.identifier, ip=ip)
    if not claim.allowed:
        return StaffCheck(locked_until=claim.locked_until)
    device = confirmed_device(user)
    typed = "".join(ch for ch in code if ch.isdigit())
    if device is not None and typed and device.verify_token(typed):
        lockout.clear_failures(identifier=_key(user.identifier), ip=_key(ip))
        record_event(action="staff.sign_in.success", actor=user, target=user.identifier, ip=ip)
        return device
    return _fail(
        identifier=user.identifier, ip=ip, action="staff.sign_in.code_failure", claim=claim
    )


def _open_permit(user: User):
    return (
        EnrolmentPermit.objects.filter(user=user, used_at__isnull=True, expires_at__gt=clock.now())
        .order_by("-expires_at")
        .first()
    )


def enrolment_allowed(user: User) -> bool:
    """An agent without a device may enrol one only with an open permit (see EnrolmentPermit)."""
    return _open_permit(user) is not None


@transaction.atomic
def permit_enrolment(*, user: User, granted_by: User | None) -> EnrolmentPermit:
    """Let a staff member enrol a new authenticator within 7 days (new account, lost phone)."""
    permit = EnrolmentPermit.objects.create(user=user, granted_by=granted_by)
    record_event(
        action="staff.totp.enrolment_permitted",
        actor=granted_by,
        target=user.identifier,
        details={"until": permit.expires_at.isoformat()},
    )
    return permit


@transaction.atomic
def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device an agent without one is enrolling (made once, then reused)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user: User, code: str, ip: str | None) -> TOTPDevice | None:
    """The agent proves the new device works by typing its code; it then becomes the one used."""
    claim = _claim(identifier=user.identifier, ip=ip)
    if not claim.allowed:
        return None
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    permit = _open_permit(user)
    typed = "".join(ch for ch in code if ch.isdigit())
    if permit is None or device is None or not typed or not device.verify_token(typed):
        _fail(identifier=user.identifier, ip=ip, action="staff.totp.enrolment_failure", claim=claim)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    permit.used_at = clock.now()
    permit.save(update_fields=["used_at"])
    lockout.clear_failures(identifier=_key(user.identifier), ip=_key(ip))
    record_event(action="staff.totp.enrolled", actor=user, target=user.identifier, ip=ip)
    return device


def enrolment_qr_data_uri(*, device: TOTPDevice, account: str) -> str:
    """The otpauth:// address of the device as an SVG image in a data: URI (CSP allows it)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def manual_key(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four, for people who cannot scan the image."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
