"""Reads of a legal landlord's team. ``landlord_administered_by`` is the one permission check."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from portail.accounts.models import Landlord, User
from portail.audit.models import Event
from portail.portfolios.models import Grant, Portfolio


def landlord_administered_by(user) -> Landlord:
    """The legal landlord this user administers; 404 for anybody else (natural landlords'
    users, team members who are not administrators, staff)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.is_landlord_admin
        or user.landlord_id is None
        or not user.landlord.is_legal
    ):
        raise Http404("Page introuvable")
    return user.landlord


def team_of(landlord: Landlord) -> QuerySet[User]:
    """The users of a landlord, without those removed, with their grants and portfolios."""
    return (
        User.objects.filter(landlord=landlord, removal__isnull=True)
        .prefetch_related(
            Prefetch(
                "grants",
                queryset=Grant.objects.select_related("portfolio").order_by("portfolio__name"),
            )
        )
        .order_by("-is_landlord_admin", "full_name", "identifier")
    )


def member_of(landlord: Landlord, user_id: int) -> User:
    """One (not removed) user of this landlord; 404 for any other id."""
    try:
        return team_of(landlord).get(pk=user_id)
    except User.DoesNotExist:
        raise Http404("Utilisateur introuvable") from None


def portfolios_of_landlord(landlord: Landlord) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(landlord=landlord).order_by("name", "pk")


def rights_of(member: User) -> dict[int, str]:
    """portfolio id -> right ("consult" or "declare") granted to this user."""
    return {grant.portfolio_id: grant.right for grant in member.grants.all()}


def journal_of(landlord: Landlord) -> QuerySet[Event]:
    """Changes of users, grants and contact e-mail of this landlord, newest first."""
    return (
        Event.objects.filter(action__startswith="team.", details__landlord=landlord.ref)
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )
