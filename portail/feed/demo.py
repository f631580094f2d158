"""The demo: the sample feed, loaded through the real import, and a user per demo landlord."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from portail.accounts import rules
from portail.accounts.models import Landlord, User
from portail.accounts.services import create_landlord_user

from .services import import_feed

# Shown on screen by `make run` and in the README; never valid outside DEBUG: the sign-in
# refuses it, and any account of a demo landlord, when DEBUG is off (accounts.rules).
DEMO_PASSWORD = rules.DEMO_PASSWORD


@dataclass(frozen=True)
class DemoAccount:
    landlord_ref: str
    identifier_number: int
    description: str
    identifier: str = ""
    password: str = DEMO_PASSWORD


DEMO_ACCOUNTS = (
    DemoAccount("DEMO-P1", 100001, "Marie MARTIN, bailleur physique avec mail"),
    DemoAccount("DEMO-P2", 100002, "Jean DUBOIS, bailleur physique sans mail"),
    DemoAccount("DEMO-M1", 100003, "SCI Les Tilleuls, bailleur moral, 2 parcs"),
)


def _demo_user(landlord: Landlord, account: DemoAccount) -> User:
    identifier = rules.format_identifier(account.identifier_number)
    user = User.objects.filter(identifier=identifier).first()
    if user is None:
        user = create_landlord_user(
            landlord=landlord, email=landlord.email, is_landlord_admin=landlord.is_legal
        )
        user.identifier = identifier
    # As for a first access: an address the agency's own records hold is used for recovery, so
    # a newcomer can follow "Mot de passe perdu" in the demo.
    user.email_confirmed = bool(user.email)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def load_demo(*, feed_directory: Path) -> list[DemoAccount]:
    """Import the demo feed unless already there; give each demo landlord a known sign-in."""
    if not Landlord.objects.filter(ref=DEMO_ACCOUNTS[0].landlord_ref).exists():
        report = import_feed(directory=feed_directory)
        if not report.ok:
            raise ValueError("; ".join(str(error) for error in report.errors))
    loaded = []
    for account in DEMO_ACCOUNTS:
        landlord = Landlord.objects.get(ref=account.landlord_ref)
        user = _demo_user(landlord, account)
        loaded.append(
            DemoAccount(
                account.landlord_ref,
                account.identifier_number,
                account.description,
                user.identifier,
            )
        )
    return loaded
