"""Rules of a legal landlord's team, without database access."""

from collections.abc import Iterable

NO_ACCESS = ""


def keeps_an_active_admin(admins_after_change: Iterable[bool]) -> bool:
    """At least one active administrator always remains on a legal landlord's account."""
    return any(admins_after_change)
