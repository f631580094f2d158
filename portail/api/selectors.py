"""Reads of the API: who may manage a landlord's software access, a token's portfolios (the one
place an API request reaches a portfolio), tokens, webhooks and their recent deliveries."""

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from portail.accounts.models import Landlord
from portail.events.models import Kind
from portail.portfolios.models import Portfolio
from portail.portfolios.selectors import portfolio_for_user, portfolios_of_user
from portail.team.selectors import landlord_administered_by

from .models import ApiToken, WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 50
TOKEN_PORTFOLIOS_CACHE_SECONDS = 24 * 3600


def landlord_for_api_admin(user) -> Landlord:
    """The landlord whose software access this user manages: a natural landlord's own, or the
    legal landlord it administers (team's rule); 404 for anybody else."""
    if (
        user.is_authenticated
        and user.is_active
        and user.landlord_id is not None
        and not user.landlord.is_legal
    ):
        return user.landlord
    return landlord_administered_by(user)


def portfolio_of_token(token: ApiToken, portfolio_id: int) -> Portfolio:
    """A portfolio this token was given and its creator may still see (``may_declare`` says
    whether the creator may declare there); 404 for any other, whoever owns it."""
    if portfolio_id not in token_portfolio_ids(token):
        raise Http404("Parc introuvable")
    portfolio = portfolio_for_user(token.created_by, portfolio_id)
    portfolio.may_declare = portfolio.may_declare and token.can_declare
    return portfolio


def token_portfolio_ids(token: ApiToken) -> frozenset[int]:
    """The portfolios a token was given. They never change once it is made (a token is
    revoked, not edited), so they are kept in the cache; whether the token is still in force
    is read on every request (services.token_in_force)."""
    key = f"api-token-portfolios:{token.pk}"
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(token.portfolios.values_list("pk", flat=True))
        cache.set(key, ids, TOKEN_PORTFOLIOS_CACHE_SECONDS)
    return ids


def portfolios_of_token(token: ApiToken) -> list[Portfolio]:
    """The token's portfolios its creator may still see, by name."""
    from portail.portfolios.selectors import may_declare

    portfolios = list(
        portfolios_of_user(token.created_by).filter(pk__in=token.portfolios.values("pk"))
    )
    for portfolio in portfolios:
        portfolio.may_declare = token.can_declare and may_declare(token.created_by, portfolio)
    return portfolios


def tokens_of_landlord(landlord: Landlord) -> QuerySet[ApiToken]:
    """Every token of the landlord, newest first, with their portfolios and creator."""
    return (
        ApiToken.objects.filter(landlord=landlord)
        .select_related("created_by", "revoked_by")
        .prefetch_related(Prefetch("portfolios", queryset=Portfolio.objects.order_by("name")))
        .order_by("-created_at", "-pk")
    )


def token_of_landlord(landlord: Landlord, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.get(landlord=landlord, pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("Jeton introuvable") from None


def webhooks_of_landlord(landlord: Landlord) -> list[WebhookEndpoint]:
    """The landlord's endpoints, each with its last deliveries (``recent``), newest first."""
    endpoints = list(WebhookEndpoint.objects.filter(landlord=landlord).order_by("-created_at"))
    for endpoint in endpoints:
        endpoint.kind_labels = [Kind(k).label for k in endpoint.kinds if k in Kind.values]
        endpoint.recent = list(
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .order_by("-queued_at", "-pk")[:RECENT_DELIVERIES]
        )
    return endpoints


def webhook_of_landlord(landlord: Landlord, endpoint_id: int) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_related("landlord").get(
            landlord=landlord, pk=endpoint_id
        )
    except WebhookEndpoint.DoesNotExist:
        raise Http404("Adresse introuvable") from None
