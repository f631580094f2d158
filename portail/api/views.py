"""The page « Accès pour vos logiciels »: thin views. Each starts with
``landlord_for_api_admin``: a natural landlord or a legal landlord's administrator; 404 for
anybody else. A new token or signing secret is shown once, in the answer to its creation,
which no cache keeps."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portail.common import clock
from portail.common.http import client_ip
from portail.portfolios.selectors import portfolios_of_user

from . import selectors, services
from .forms import TokenForm, WebhookForm
from .webhooks import TargetRefused


def _page(request, landlord, **context):
    return render(
        request,
        "api/access.html",
        {
            "landlord": landlord,
            "tokens": selectors.tokens_of_landlord(landlord),
            "webhooks": selectors.webhooks_of_landlord(landlord),
            "now": clock.now(),
            **context,
        },
    )


@login_required
def access(request):
    landlord = selectors.landlord_for_api_admin(request.user)
    return _page(request, landlord)


@never_cache
@login_required
def new_token(request):
    landlord = selectors.landlord_for_api_admin(request.user)
    portfolios = portfolios_of_user(request.user)
    initial = {"expires_on": clock.today() + datetime.timedelta(days=365)}
    form = TokenForm(request.POST or None, portfolios=portfolios, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            token, clear = services.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                can_declare=form.cleaned_data["scope"] == "declare",
                portfolio_ids=[int(pk) for pk in form.cleaned_data["portfolios"]],
                expires_on=form.cleaned_data["expires_on"],
                ip=client_ip(request),
            )
        except services.TokenRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return render(
                request,
                "api/token_created.html",
                {"token": token, "clear": clear, "landlord": landlord},
            )
    return render(request, "api/token_form.html", {"form": form, "landlord": landlord})


@require_POST
@login_required
def revoke(request, token_id: int):
    landlord = selectors.landlord_for_api_admin(request.user)
    token = selectors.token_of_landlord(landlord, token_id)
    services.revoke_token(user=request.user, token=token, ip=client_ip(request))
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès.")
    return redirect("api:access")


@never_cache
@login_required
def new_webhook(request):
    landlord = selectors.landlord_for_api_admin(request.user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.register_webhook(
                user=request.user,
                landlord=landlord,
                url=form.cleaned_data["url"],
                kinds=form.cleaned_data["kinds"],
                ip=client_ip(request),
            )
        except TargetRefused as refusal:
            form.add_error("url", refusal.message)
        else:
            return render(
                request,
                "api/webhook_created.html",
                {"endpoint": endpoint, "secret": secret, "landlord": landlord},
            )
    return render(request, "api/webhook_form.html", {"form": form, "landlord": landlord})


@require_POST
@login_required
def remove_webhook(request, endpoint_id: int):
    landlord = selectors.landlord_for_api_admin(request.user)
    endpoint = selectors.webhook_of_landlord(landlord, endpoint_id)
    services.remove_webhook(user=request.user, endpoint=endpoint, ip=client_ip(request))
    messages.success(request, f"Les notifications à {endpoint.url} sont arrêtées.")
    return redirect("api:access")
