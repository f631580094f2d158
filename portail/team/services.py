"""Writes of a legal landlord's administrator on its team: users, grants, contact e-mail.

Every change is an audit event (``team.*``) carrying the landlord's reference, which the
administrator reads in the "Journal" (help sheet, difficulty 11: each colleague works on the
parcs granted to them, with a login of their own).
"""

from django.db import transaction

from portail.accounts import dispatch, lockout, verification
from portail.accounts.models import Landlord, User
from portail.accounts.services import create_landlord_user
from portail.audit.services import record_event
from portail.common.formats import french_long_datetime
from portail.correspondence.services import queue_message
from portail.portfolios.models import Grant

from . import rules
from .models import Removal


class TeamRuleError(ValueError):
    """A change the team's rules refuse; ``message`` says in French why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


LAST_ADMIN = (
    "Le compte doit toujours garder au moins un administrateur actif. Nommez d'abord un autre "
    "utilisateur administrateur, puis recommencez."
)
# A message, not a password.
WRONG_PASSWORD = "Mot de passe incorrect. Saisissez celui que vous utilisez pour vous connecter."  # noqa: S105


def _record(*, admin: User, action: str, member: User | None, ip: str | None, **details) -> None:
    record_event(
        action=action,
        actor=admin,
        target=member.identifier if member else admin.landlord.ref,
        ip=ip,
        details={"landlord": admin.landlord.ref, **details},
    )


def _check_keeps_an_admin(landlord: Landlord, *, member: User, admin_after: bool) -> None:
    others = (
        User.objects.filter(
            landlord=landlord, is_landlord_admin=True, is_active=True, removal__isnull=True
        )
        .exclude(pk=member.pk)
        .exists()
    )
    if not rules.keeps_an_active_admin(other_active_admins=others, stays_admin=admin_after):
        raise TeamRuleError(LAST_ADMIN)


def _set_rights(member: User, rights: dict[int, str]) -> dict[str, str]:
    """Make the member's grants exactly ``rights``; returns the changes by portfolio name."""
    current = {
        g.portfolio_id: g for g in Grant.objects.filter(user=member).select_related("portfolio")
    }
    changes: dict[str, str] = {}
    for portfolio_id, grant in current.items():
        if rights.get(portfolio_id, rules.NO_ACCESS) == rules.NO_ACCESS:
            grant.delete()
            changes[grant.portfolio.name] = "aucun accès"
    for portfolio_id, right in rights.items():
        if right == rules.NO_ACCESS:
            continue
        grant = current.get(portfolio_id)
        if grant is None:
            grant = Grant.objects.create(user=member, portfolio_id=portfolio_id, right=right)
        elif grant.right != right:
            grant.right = right
            grant.save(update_fields=["right"])
        else:
            continue
        changes[grant.portfolio.name] = grant.get_right_display()
    return changes


@transaction.atomic
def add_member(
    *,
    admin: User,
    full_name: str,
    email: str,
    is_admin: bool,
    rights: dict[int, str],
    ip: str | None,
) -> User:
    """Give a colleague a login of their own; identifier and temporary password go to their
    e-mail, valid 14 days."""
    member = create_landlord_user(
        landlord=admin.landlord, full_name=full_name, email=email, is_landlord_admin=is_admin
    )
    member.email_confirmed = True  # the credentials only work for who reads this address
    member.first_credentials_channel = dispatch.EMAIL
    member.save(update_fields=["email_confirmed", "first_credentials_channel"])
    changes = _set_rights(member, {} if is_admin else rights)
    dispatch.send_access(user=member, channel=dispatch.EMAIL)
    _record(
        admin=admin,
        action="team.user_added",
        member=member,
        ip=ip,
        name=full_name,
        administrator=is_admin,
        rights=changes,
    )
    return member


@transaction.atomic
def change_access(
    *, admin: User, member: User, is_admin: bool, rights: dict[int, str], ip: str | None
) -> None:
    """Set whether a colleague administers the account and, if not, their rights per parc."""
    if member.is_active:
        _check_keeps_an_admin(admin.landlord, member=member, admin_after=is_admin)
    changes = _set_rights(member, {} if is_admin else rights)
    if member.is_landlord_admin != is_admin:
        member.is_landlord_admin = is_admin
        member.save(update_fields=["is_landlord_admin"])
        changes["administrateur"] = "oui" if is_admin else "non"
    if changes:
        _record(admin=admin, action="team.access_changed", member=member, ip=ip, changes=changes)


@transaction.atomic
def suspend_member(*, admin: User, member: User, ip: str | None) -> None:
    """Suspend a colleague: they can no longer sign in, and their open sessions end for good
    (User.save raises the session generation)."""
    _check_keeps_an_admin(admin.landlord, member=member, admin_after=False)
    member.is_active = False
    member.save(update_fields=["is_active"])
    _record(admin=admin, action="team.user_suspended", member=member, ip=ip)


@transaction.atomic
def reactivate_member(*, admin: User, member: User, ip: str | None) -> None:
    """Let a suspended colleague sign in again, with the rights they had."""
    member.is_active = True
    member.save(update_fields=["is_active"])
    _record(admin=admin, action="team.user_reactivated", member=member, ip=ip)


@transaction.atomic
def remove_member(*, admin: User, member: User, ip: str | None) -> None:
    """Remove a colleague from the team; what they declared keeps their name."""
    _check_keeps_an_admin(admin.landlord, member=member, admin_after=False)
    Grant.objects.filter(user=member).delete()
    member.is_active = False
    member.is_landlord_admin = False
    member.save(update_fields=["is_active", "is_landlord_admin"])
    Removal.objects.create(user=member, removed_by=admin)
    _record(admin=admin, action="team.user_removed", member=member, ip=ip, name=member.full_name)


def _locked_message(until) -> str:
    return (
        "Après plusieurs mots de passe incorrects, cette action est bloquée par sécurité "
        f"jusqu'au {french_long_datetime(until)}."
    )


def change_contact_email(*, admin: User, password: str, new_email: str, ip: str | None) -> None:
    """Change the account's contact e-mail once the administrator typed their password again;
    the former address is told. A wrong password counts as a failed sign-in."""
    claim = lockout.claim_attempt(identifier=admin.identifier, ip=ip)
    if not claim.allowed:
        verification.burn(password)
        raise TeamRuleError(_locked_message(claim.locked_until))
    if not verification.verify_chosen_password(user=admin, password=password):
        if claim.lock_started:
            raise TeamRuleError(_locked_message(claim.lock_started))
        raise TeamRuleError(WRONG_PASSWORD)
    lockout.release_attempt(identifier=admin.identifier, ip=ip)
    _replace_contact_email(admin=admin, new_email=new_email, ip=ip)


@transaction.atomic
def _replace_contact_email(*, admin: User, new_email: str, ip: str | None) -> None:
    landlord = admin.landlord
    former = landlord.email
    landlord.email = new_email
    landlord.save(update_fields=["email"])
    if former and former != new_email:
        queue_message(
            user=admin,
            kind="team.contact_email_changed",
            channel="email",
            template="notice",
            email=former,
            context={
                "title": "L'adresse mail de contact de votre compte a été modifiée",
                "paragraphs": [
                    f"L'adresse mail de contact du compte bailleur {landlord.name} est désormais "
                    f"{new_email}. Les messages de la Caf n'arriveront plus à cette adresse-ci.",
                    "Si vous n'êtes pas à l'origine de ce changement, appelez votre Caf sans "
                    "attendre.",
                ],
            },
        )
    _record(
        admin=admin,
        action="team.contact_email_changed",
        member=None,
        ip=ip,
        former=former,
        new=new_email,
    )
