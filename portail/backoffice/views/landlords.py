"""Finding a landlord and helping it: its page, and the agent's actions on its users."""

from django.contrib import messages
from django.shortcuts import redirect, render

from portail.accounts import agent_actions as account_actions
from portail.accounts import selectors as account_selectors
from portail.common.http import client_ip

from .. import search, selectors
from ..access import staff_required
from ..forms import (
    AddressForm,
    EmailChangeForm,
    ReasonForm,
    SearchForm,
)


@staff_required("help_landlords")
def search_landlords(request):
    form = SearchForm(data=request.GET or None)
    result = search.find_landlords(form.cleaned_data["q"]) if form.is_valid() else None
    if result is not None and result.exact_single is not None:
        return redirect("backoffice:landlord", landlord_id=result.exact_single.pk)
    return render(request, "backoffice/search.html", {"form": form, "result": result})


@staff_required("help_landlords")
def landlord(request, landlord_id: int):
    landlord = account_selectors.landlord_for_staff(landlord_id)
    return render(
        request,
        "backoffice/landlord.html",
        {
            "landlord": landlord,
            "users": account_selectors.users_with_state(landlord),
            "portfolios": selectors.portfolios_of_landlord(landlord),
            "messages_sent": account_selectors.correspondence_of_landlord(landlord),
            "events": account_selectors.events_of_landlord(landlord),
        },
    )


USER_ACTIONS = {
    "identifiant": {
        "title": "Renvoyer l'identifiant",
        "service": account_actions.resend_identifier,
        "form": ReasonForm,
        "done": "L'identifiant sera renvoyé par {channel}.",
    },
    "mot-de-passe": {
        "title": "Envoyer un nouveau mot de passe provisoire",
        "service": account_actions.issue_new_temporary_password,
        "form": ReasonForm,
        "done": "Un nouveau mot de passe provisoire sera envoyé par {channel}.",
    },
    "debloquer": {
        "title": "Débloquer la connexion",
        "service": account_actions.unlock_user,
        "form": ReasonForm,
        "done": "La connexion est débloquée.",
    },
    "mail": {
        "title": "Changer l'adresse mail",
        "service": account_actions.change_user_email,
        "form": EmailChangeForm,
        "done": "L'adresse mail est changée.",
    },
    "desactiver": {
        "title": "Désactiver l'utilisateur",
        "service": account_actions.disable_user,
        "form": ReasonForm,
        "done": "L'utilisateur est désactivé ; ses sessions sont terminées.",
    },
}
CHANNEL_WORDS = {"email": "mail", "letter": "courrier"}


def _user_action(request, landlord_id: int, user_id: int, action: str):
    spec = USER_ACTIONS[action]
    landlord = account_selectors.landlord_for_staff(landlord_id)
    user = account_selectors.user_of_landlord(landlord, user_id)
    form = spec["form"](data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        channel = spec["service"](user=user, agent=request.user, ip=client_ip(request), **data)
        messages.success(request, spec["done"].format(channel=CHANNEL_WORDS.get(channel, "")))
        return redirect("backoffice:landlord", landlord_id=landlord.pk)
    return render(
        request,
        "backoffice/user_action.html",
        {"form": form, "landlord": landlord, "target": user, "title": spec["title"]},
    )


def _make_user_action(action: str, permission: str):
    @staff_required(permission)
    def view(request, landlord_id: int, user_id: int):
        return _user_action(request, landlord_id, user_id, action)

    view.__name__ = f"user_action_{action.replace('-', '_')}"
    return view


resend_identifier = _make_user_action("identifiant", "help_landlords")
new_temporary_password = _make_user_action("mot-de-passe", "help_landlords")
unlock = _make_user_action("debloquer", "help_landlords")
change_email = _make_user_action("mail", "help_landlords")
disable = _make_user_action("desactiver", "disable_users")


@staff_required("help_landlords")
def change_address(request, landlord_id: int):
    landlord = account_selectors.landlord_for_staff(landlord_id)
    initial = {
        name: getattr(landlord, name)
        for name in ("address_line1", "address_line2", "postcode", "city")
    }
    form = AddressForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        account_actions.change_landlord_address(
            landlord=landlord, agent=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, "L'adresse postale est changée.")
        return redirect("backoffice:landlord", landlord_id=landlord.pk)
    return render(
        request,
        "backoffice/user_action.html",
        {"form": form, "landlord": landlord, "title": "Changer l'adresse postale"},
    )
