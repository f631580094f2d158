"""Reads of portfolios, tenancies and grants. portfolio_for_request (views) and
portfolio_for_user are the only ways to reach a portfolio."""

from collections.abc import Callable

from django.core.cache import cache
from django.db.models import BigIntegerField, Count, Exists, OuterRef, QuerySet
from django.http import Http404

from portail.common.prepared import Param, compiled

from .models import Grant, Portfolio, Tenancy


def portfolios_of_user(user) -> QuerySet[Portfolio]:
    """The portfolios a user may see: all of its landlord's for an administrator or a natural
    landlord's user, else those granted to it. Nothing for staff or anonymous visitors."""
    if not _sees_portfolios(user):
        return Portfolio.objects.none()
    return _portfolios_seen(user.landlord_id, user.pk, by_grant=_declares_by_grant(user))


def _sees_portfolios(user) -> bool:
    return user.is_authenticated and user.landlord_id is not None and user.is_active


def _portfolios_seen(landlord_id, user_id, *, by_grant: bool) -> QuerySet[Portfolio]:
    mine = Portfolio.objects.filter(landlord_id=landlord_id)
    return mine.filter(grants__user_id=user_id) if by_grant else mine


def portfolio_for_user(user, portfolio_id: int) -> Portfolio:
    """The portfolio with this id if the user may see it; 404 otherwise, whoever owns it.

    The portfolio carries ``may_declare``: whether this user may declare rents in it."""
    return _portfolio_among_visible(user, portfolio_id)[0]


def portfolio_for_request(request, portfolio_id: int) -> Portfolio:
    """portfolio_for_user for the signed-in user of a request, as every view reaches one.

    Its query reads all the portfolios the user may see, which the header's switcher lists on
    the same page: they are kept on the request (``visible_portfolios``) for header_portfolios,
    one query for both."""
    portfolio, visible = _portfolio_among_visible(request.user, portfolio_id)
    request.visible_portfolios = visible
    return portfolio


def _portfolio_among_visible(user, portfolio_id: int) -> tuple[Portfolio, list[Portfolio]]:
    """The portfolio (404 if not visible) and all the portfolios the user may see, one query
    (compiled once: every page and API call of a portfolio reads it)."""
    visible = []
    if _sees_portfolios(user):
        visible = _visible_portfolios(_declares_by_grant(user)).instances(
            landlord=user.landlord_id, user=user.pk
        )
    portfolio = next((p for p in visible if p.pk == portfolio_id), None)
    if portfolio is None:
        raise Http404("Parc introuvable")
    portfolio.landlord = user.landlord  # the same landlord: portfolios_of_user filtered on it
    portfolio.may_declare = may_declare(user, portfolio)
    return portfolio, visible


@compiled
def _visible_portfolios(by_grant: bool) -> QuerySet[Portfolio]:
    """portfolios_of_user, and for a user who declares by grant whether it may declare in
    each (``declare_granted``)."""
    user = Param("user", BigIntegerField())
    queryset = _portfolios_seen(Param("landlord", BigIntegerField()), user, by_grant=by_grant)
    if by_grant:
        queryset = queryset.annotate(
            declare_granted=Exists(
                Grant.objects.filter(
                    portfolio=OuterRef("pk"), user_id=user, right=Grant.Right.DECLARE
                )
            )
        )
    return queryset


def header_portfolios(request) -> list[Portfolio]:
    """The portfolios the header's switcher lists: those portfolio_for_request read in this
    request, else read now. Links only: access is checked by portfolio_for_user every time."""
    known = getattr(request, "visible_portfolios", None)
    if known is not None:
        return known
    return list(portfolios_of_user(request.user).only("id", "name"))


def _declares_by_grant(user) -> bool:
    """A legal landlord's user other than its administrator declares only where granted
    (staff, who belong to no landlord, see no portfolio at all: portfolios_of_user)."""
    return user.landlord_id is not None and not user.is_landlord_admin and user.landlord.is_legal


def may_declare(user, portfolio: Portfolio) -> bool:
    """A natural landlord's user and a legal landlord's administrator declare everything of
    their landlord; another user only where granted "declare" (not "consult")."""
    if user.landlord_id != portfolio.landlord_id:
        return False
    if not _declares_by_grant(user):
        return True
    granted = getattr(portfolio, "declare_granted", None)  # portfolio_for_user's annotation
    if granted is None:
        granted = Grant.objects.filter(
            portfolio=portfolio, user=user, right=Grant.Right.DECLARE
        ).exists()
    return granted


def visible_portfolios(request) -> list[Portfolio]:
    """The portfolios the signed-in user of a request may see ("Mes parcs"), kept on the
    request for the header's switcher (header_portfolios): one query for both."""
    request.visible_portfolios = list(portfolios_of_user(request.user))
    return request.visible_portfolios


def count_tenancies(portfolios: list[Portfolio]) -> list[Portfolio]:
    """The portfolios, each with its number of tenancies (``tenancy_count``, tenancy_counts)."""
    counts = tenancy_counts([p.pk for p in portfolios])
    for portfolio in portfolios:
        portfolio.tenancy_count = counts[portfolio.pk]
    return portfolios


TENANCY_COUNT_SECONDS = 300
# Readers of kept counts (rents registers its campaign counts at start-up, RentsConfig.ready):
# counter(portfolio_ids) gives each portfolio's number of tenancies, or None if it keeps none.
_KEPT_COUNTERS: list[Callable[[list[int]], dict[int, int] | None]] = []


def register_tenancy_counter(counter: Callable[[list[int]], dict[int, int] | None]) -> None:
    """Called once by an app's AppConfig.ready."""
    _KEPT_COUNTERS.append(counter)


def _tenancy_count_key(portfolio_id: int) -> str:
    return f"portfolio-tenancy-count:{portfolio_id}"


def tenancy_count(portfolio: Portfolio) -> int:
    """How many tenancies a portfolio holds (tenancy_counts)."""
    return tenancy_counts([portfolio.pk])[portfolio.pk]


def tenancy_counts(portfolio_ids: list[int]) -> dict[int, int]:
    """How many tenancies each portfolio holds, kept 5 minutes in the cache (every page of the
    tenant list shows it); on a miss, read from the counts a registered app keeps (a few rows a
    portfolio), counted only when none keeps them: counting 10,000 rows cost more than the rest
    of the "Mes parcs" page. Tenancies change only through the feed and the admin, which forget
    the cached counts they touch."""
    keys = {_tenancy_count_key(pk): pk for pk in portfolio_ids}
    known = cache.get_many(list(keys))
    missing = [pk for key, pk in keys.items() if key not in known]
    if missing:
        counted = _kept_counts(missing)
        if counted is None:
            counted = dict(
                Tenancy.objects.filter(portfolio_id__in=missing)
                .values_list("portfolio_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
        fresh = {_tenancy_count_key(pk): counted.get(pk, 0) for pk in missing}
        cache.set_many(fresh, TENANCY_COUNT_SECONDS)
        known.update(fresh)
    return {pk: known[key] for key, pk in keys.items()}


def _kept_counts(portfolio_ids: list[int]) -> dict[int, int] | None:
    for counter in _KEPT_COUNTERS:
        counts = counter(portfolio_ids)
        if counts is not None:
            return counts
    return None


def forget_tenancy_counts(portfolio_ids) -> None:
    """After tenancies of these portfolios were added, moved or removed."""
    cache.delete_many([_tenancy_count_key(pk) for pk in portfolio_ids])
