"""Rules of a legal landlord's team, without database access."""

NO_ACCESS = ""


def keeps_an_active_admin(*, other_active_admins: bool, stays_admin: bool) -> bool:
    """At least one active administrator always remains on a legal landlord's account."""
    return other_active_admins or stays_admin
