"""Writes on landlords' users and their credentials: one function per use case, keyword-only."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import connections, router, transaction

from portail.audit.services import record_event
from portail.common import clock
from portail.common.prepared import statement_cursor

from . import dispatch, lockout, rules, selectors, verification
from .models import EmailConfirmation, Landlord, TemporaryPassword, User
from .temporary_passwords import retire_temporary_passwords

_ALLOCATION_ATTEMPTS = 50
EMAIL_CODE_VALIDITY = datetime.timedelta(minutes=30)
EMAIL_CODE_MAX_ATTEMPTS = 5


def _free_identifier() -> str:
    for _ in range(_ALLOCATION_ATTEMPTS):
        candidate = rules.format_identifier(secrets.randbelow(10**6))
        if not User.objects.filter(identifier=candidate).exists():
            return candidate
    raise RuntimeError("no free login identifier found; the identifier space is nearly full")


def _free_user_number() -> str:
    for _ in range(_ALLOCATION_ATTEMPTS):
        candidate = rules.format_user_number(secrets.randbelow(10**8))
        if not User.objects.filter(user_number=candidate).exists():
            return candidate
    raise RuntimeError("no free user number found")


@transaction.atomic
def create_landlord_user(
    *, landlord: Landlord, full_name: str = "", email: str = "", is_landlord_admin: bool = False
) -> User:
    """Give a landlord a new user with its own identifier and user number, no password yet."""
    user = User(
        identifier=_free_identifier(),
        user_number=_free_user_number(),
        landlord=landlord,
        full_name=full_name or landlord.name,
        email=email,
        is_landlord_admin=is_landlord_admin,
    )
    user.set_unusable_password()
    user.save()
    return user


# --- First access ------------------------------------------------------------------------------


@transaction.atomic
def grant_first_access(*, landlord: Landlord) -> User | None:
    """Give a new landlord its first user and send identifier + temporary password (diff. 6)."""
    if landlord.users.exists():
        return None
    channel = dispatch.first_access_channel(landlord)
    user = create_landlord_user(
        landlord=landlord, email=landlord.email, is_landlord_admin=landlord.is_legal
    )
    # An e-mail the agency's own records hold may be used for recovery at once.
    user.email_confirmed = bool(landlord.email)
    user.first_credentials_channel = channel
    if channel == dispatch.LETTER:
        user.credentials_letter_sent_at = clock.now()
    user.save()
    dispatch.send_access(user=user, channel=channel)
    record_event(
        action="credentials.first_access",
        target=user.identifier,
        details={"channel": channel, "landlord": landlord.ref},
    )
    return user


@transaction.atomic
def grant_first_access_to_landlords(*, landlord_ids: list[int]) -> int:
    """First access for each landlord the feed just brought; returns how many got a user."""
    granted = 0
    for landlord in Landlord.objects.filter(pk__in=landlord_ids).order_by("pk"):
        if grant_first_access(landlord=landlord) is not None:
            granted += 1
    return granted


# --- Sign-in -----------------------------------------------------------------------------------


class Refusal:
    INVALID = "invalid"
    LOCKED = "locked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    via_temporary: bool = False
    refusal: str = ""
    when: datetime.datetime | None = None


def _temporary_outcome(user: User, found: TemporaryPassword) -> SignInResult | None:
    """A typed temporary password that matched: valid, expired or replaced (difficulty 8)."""
    if found.superseded_at is not None:
        newer = (
            user.temporary_passwords.filter(issued_at__gt=found.issued_at)
            .order_by("-issued_at")
            .first()
        )
        if newer is None:  # retired by a password change: nothing useful to say
            return None
        return SignInResult(user=user, refusal=Refusal.SUPERSEDED, when=newer.issued_at)
    if found.expires_at <= clock.now():
        return SignInResult(user=user, refusal=Refusal.EXPIRED, when=found.expires_at)
    found.used_at = found.used_at or clock.now()
    found.save(update_fields=["used_at"])
    return SignInResult(user=user, via_temporary=True)


def _verified_outcome(user: User | None, password: str) -> SignInResult | None:
    """The one password verification of a sign-in, then what it means; None for a failure."""
    verified = verification.verify_sign_in_password(user=user, password=password)
    if not verified.matched:
        return None
    if rules.demo_sign_in_refused(
        debug=settings.DEBUG, landlord_ref=user.landlord_ref, password=password
    ):
        record_event(action="sign_in.demo_refused", target=user.identifier)
        return None
    if verified.temporary is not None:
        return _temporary_outcome(user, verified.temporary)
    return SignInResult(user=user)


def record_last_login(sender, user, **kwargs) -> None:
    """When a user signed in (receiver of user_logged_in, AccountsConfig.ready): one UPDATE
    of last_login, as Django's update_last_login writes it, without a model save (a plain
    statement, prepared on PostgreSQL: every sign-in runs it)."""
    user.last_login = clock.now()
    connection = connections[router.db_for_write(type(user))]
    table = connection.ops.quote_name(type(user)._meta.db_table)
    with statement_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_login = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(user.last_login), user.pk],
        )


def attempt_sign_in(*, identifier: str, password: str, ip: str | None) -> SignInResult:
    """Check identifier and password; refuse with a reason only where it helps (diff. 7, 8).
    A success is recorded by ``record_sign_in``, once the session is opened.

    The attempt is counted before the password is checked (lockout.claim_attempt), and every
    answer costs one Argon2 verification (verification.py): neither parallel guesses nor
    timing get past the lock-out or tell who exists.
    """
    claim = lockout.claim_attempt(identifier=identifier, ip=ip)
    user = selectors.user_signing_in(identifier)
    if not claim.allowed:
        verification.burn(password)
        record_event(action="sign_in.refused_locked", target=identifier, ip=ip)
        return SignInResult(refusal=Refusal.LOCKED, when=claim.locked_until)
    result = _verified_outcome(user, password)
    if result is not None and not result.refusal:
        return result  # recorded by record_sign_in, with the session
    if result is not None:  # the right temporary password, but too old: not an attack
        lockout.release_attempt(identifier=identifier, ip=ip)
        record_event(action=f"sign_in.{result.refusal}", actor=user, target=identifier, ip=ip)
        return result
    record_event(action="sign_in.failure", target=identifier, ip=ip)
    if claim.lock_started:
        record_event(action="sign_in.lockout", target=identifier, ip=ip)
        return SignInResult(refusal=Refusal.LOCKED, when=claim.lock_started)
    return SignInResult(refusal=Refusal.INVALID)


def record_sign_in(*, identifier: str, ip: str | None, result: SignInResult) -> None:
    """What a successful sign-in leaves: its identifier's failures and lock forgotten and the
    attempt counted on its address given back (one UPDATE), and its audit event. Called by
    the sign-in view in the transaction that also writes the last login and the new session:
    one commit for the four writes (docs/performance.md)."""
    lockout.clear_failures(identifier=identifier, ip=ip)
    record_event(
        action="sign_in.success",
        actor=result.user,
        target=identifier,
        ip=ip,
        details={"via": "temporary" if result.via_temporary else "chosen"},
    )


# --- Password change ---------------------------------------------------------------------------


@transaction.atomic
def change_password(*, user: User, new_password: str, ip: str | None) -> None:
    """Replace the password by one the user chose; temporary ones stop working; user told."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    retire_temporary_passwords(user=user)
    record_event(action="password.change", actor=user, target=user.identifier, ip=ip)
    if user.email and user.email_confirmed:
        dispatch.send_password_changed(user=user)


# --- Lost identifier (difficulties 1, 3, 4, 6) -------------------------------------------------


@dataclass(frozen=True)
class IdentifierRequest:
    needs_confirmation: bool = False
    letter_sent_at: datetime.datetime | None = None


def never_used_letter(user: User) -> bool:
    return user.last_login is None and user.first_credentials_channel == dispatch.LETTER


@transaction.atomic
def remind_identifier(
    *, user_number: str, ip: str | None, confirmed_letter_of: float | None = None
) -> IdentifierRequest:
    """Send the identifier again; a never-used letter is re-sent with a new password (1, 3, 6)."""
    user = (
        User.objects.select_for_update()
        .filter(user_number=user_number, landlord__isnull=False, is_active=True)
        .first()
    )
    if user is None:
        record_event(action="recovery.identifier", target=user_number, ip=ip)
        return IdentifierRequest()
    now = clock.now()
    if never_used_letter(user):
        # A confirmation holds for the letter it was shown, once: replaying it sends nothing.
        confirmed = (
            confirmed_letter_of is not None
            and user.credentials_letter_sent_at is not None
            and confirmed_letter_of == user.credentials_letter_sent_at.timestamp()
        )
        if not confirmed and rules.letter_is_recent(user.credentials_letter_sent_at, now):
            return IdentifierRequest(
                needs_confirmation=True, letter_sent_at=user.credentials_letter_sent_at
            )
        user.credentials_letter_sent_at = now
        user.save(update_fields=["credentials_letter_sent_at"])
        dispatch.send_access(user=user, channel=dispatch.LETTER, kind=dispatch.NEW_ACCESS_LETTER)
        channel = "letter+password"
    else:
        channel = dispatch.credentials_channel(user)
        dispatch.send_identifier(user=user, channel=channel)
    record_event(
        action="recovery.identifier",
        actor=user,
        target=user_number,
        ip=ip,
        details={"channel": channel},
    )
    return IdentifierRequest()


# --- Lost password (difficulty 2) --------------------------------------------------------------


def recovery_users(email: str):
    """The accounts whose confirmed e-mail is this one."""
    return User.objects.filter(
        email__iexact=email.strip(), email_confirmed=True, is_active=True, landlord__isnull=False
    ).order_by("pk")


@transaction.atomic
def reset_password_by_email(*, email: str, ip: str | None) -> None:
    """Each account with this e-mail gets its own new temporary password, valid 24 h (diff. 2)."""
    users = list(recovery_users(email))
    for user in users:
        dispatch.send_recovery_password(user=user)
    record_event(action="recovery.password", target=email.strip().lower(), ip=ip, details={})


@transaction.atomic
def reset_password_by_letter(*, user_number: str, ip: str | None) -> None:
    """A new temporary password asked with the user number: by e-mail when the account has a
    confirmed one (faster), else by letter; a never-used first letter is sent again whole."""
    user = (
        User.objects.select_for_update()
        .filter(user_number=user_number, landlord__isnull=False, is_active=True)
        .first()
    )
    channel = ""
    if user is not None and dispatch.recovery_by_email(user):
        dispatch.send_recovery_password(user=user)
        channel = dispatch.EMAIL
    elif user is not None and never_used_letter(user):
        user.credentials_letter_sent_at = clock.now()
        user.save(update_fields=["credentials_letter_sent_at"])
        dispatch.send_access(user=user, channel=dispatch.LETTER, kind=dispatch.NEW_ACCESS_LETTER)
        channel = "letter+identifier"
    elif user is not None:
        dispatch.send_recovery_letter(user=user)
        channel = dispatch.LETTER
    record_event(
        action="recovery.password_letter",
        actor=user,
        target=user_number,
        ip=ip,
        details={"channel": channel} if user is not None else {},
    )


# --- E-mail given at first sign-in ----------------------------------------------------------


@transaction.atomic
def request_email_confirmation(*, user: User, email: str, ip: str | None) -> EmailConfirmation:
    """Send a code to the e-mail the user gave; the account keeps its old one until confirmed."""
    now = clock.now()
    # No code yet: the outbox makes it when sending (its hash is stored then), so no clear code
    # ever waits in the database.
    confirmation = EmailConfirmation.objects.create(
        user=user,
        email=email.strip(),
        code_hash="",
        created_at=now,
        expires_at=now + EMAIL_CODE_VALIDITY,
    )
    dispatch.send_email_code(user=user, confirmation=confirmation)
    record_event(action="email.change_requested", actor=user, target=user.identifier, ip=ip)
    return confirmation


def pending_email(user: User) -> EmailConfirmation | None:
    """The latest address given and not yet confirmed, if any."""
    return (
        EmailConfirmation.objects.filter(user=user, confirmed_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def confirm_email(*, user: User, code: str, ip: str | None) -> str | None:
    """Confirm the pending e-mail address with the code sent to it; else the French reason."""
    pending = (
        EmailConfirmation.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    now = clock.now()
    if pending is None or pending.expires_at <= now:
        return "Ce code n'est plus valable (il l'est 30 minutes). Demandez un nouveau code."
    if pending.attempts >= EMAIL_CODE_MAX_ATTEMPTS:
        return "Trop d'essais avec ce code. Demandez un nouveau code."
    pending.attempts += 1
    typed = "".join(ch for ch in code if ch.isdigit())
    if not check_password(typed, pending.code_hash):
        pending.save(update_fields=["attempts"])
        return (
            "Ce code ne correspond pas. Recopiez les 6 chiffres du mail que nous venons de "
            "vous envoyer."
        )
    pending.confirmed_at = now
    pending.save(update_fields=["attempts", "confirmed_at"])
    previous = user.email
    user.email, user.email_confirmed = pending.email, True
    user.save(update_fields=["email", "email_confirmed"])
    record_event(
        action="email.change",
        actor=user,
        target=user.identifier,
        ip=ip,
        details={"had_email": bool(previous)},
    )
    return None
