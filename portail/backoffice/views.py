"""Staff screens: thin views over the back office's selectors and services."""

import csv
from functools import wraps
from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from portail.accounts.backends import BACKEND
from portail.accounts.forms import client_ip
from portail.accounts.middleware import SIGNED_IN_AT
from portail.accounts.models import User
from portail.common import clock
from portail.common.formats import french_datetime
from portail.correspondence.models import Message
from portail.rents import rules as rent_rules
from portail.rents.selectors import campaign_of_year

from . import search, selectors, services, signin
from .access import staff_required
from .forms import (
    AddressForm,
    CampaignDatesForm,
    CodeForm,
    EmailChangeForm,
    ReasonForm,
    ReceiptRejectionForm,
    ReceiptValidationForm,
    SearchForm,
    StaffSignInForm,
)
from .tasks import send_reminders_task

PENDING = "backoffice_pending_sign_in"
PENDING_SECONDS = 5 * 60
LOCKED = (
    "Après plusieurs essais infructueux, la connexion est bloquée par sécurité jusqu'au {}. "
    "Réessayez ensuite ou demandez à un administrateur."
)
REFUSED = "Identifiant ou mot de passe incorrect."
NO_DEVICE = (
    "Aucune application d'authentification n'est enregistrée pour votre compte, et son "
    "enregistrement n'est pas ouvert. Demandez à un administrateur de l'autoriser."
)
WRONG_CODE = (
    "Ce code ne correspond pas. Tapez les 6 chiffres affichés maintenant par votre application."
)


# --- Sign-in ----------------------------------------------------------------------------------


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("backoffice:search")


def _pending_user(request) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or clock.now().timestamp() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(
        pk=pending["user"], is_staff=True, is_active=True, landlord__isnull=True
    ).first()


@never_cache
def sign_in(request):
    form = StaffSignInForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = signin.check_staff_password(
            identifier=form.cleaned_data["identifier"].strip(),
            password=form.cleaned_data["password"],
            ip=client_ip(request),
        )
        user = check.user
        if user is not None and (signin.confirmed_device(user) or signin.enrolment_allowed(user)):
            request.session[PENDING] = {"user": user.pk, "at": clock.now().timestamp()}
            step = "code" if signin.confirmed_device(user) else "enrol"
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('backoffice:' + step)}?{query}")
        if user is not None:
            form.add_error(None, NO_DEVICE)
        else:
            form.add_error(
                None,
                LOCKED.format(french_datetime(check.locked_until))
                if check.locked_until
                else REFUSED,
            )
    return render(request, "backoffice/sign_in.html", {"form": form, "next": _next_url(request)})


def _complete_sign_in(request, user: User, device):
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    otp_login(request, device)
    request.session[SIGNED_IN_AT] = clock.now().timestamp()
    return redirect(_next_url(request))


@never_cache
def code(request):
    user = _pending_user(request)
    if user is None:
        return redirect("backoffice:sign_in")
    form = CodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = signin.verify_code(
            user=user, code=form.cleaned_data["code"], ip=client_ip(request)
        )
        if not isinstance(result, signin.StaffCheck):
            return _complete_sign_in(request, user, result)
        if result.locked_until:
            request.session.pop(PENDING, None)
        form.add_error(
            "code",
            LOCKED.format(french_datetime(result.locked_until))
            if result.locked_until
            else WRONG_CODE,
        )
    return render(request, "backoffice/code.html", {"form": form, "next": _next_url(request)})


@never_cache
def enrol(request):
    user = _pending_user(request)
    if user is None:
        return redirect("backoffice:sign_in")
    if signin.confirmed_device(user):
        return redirect("backoffice:code")
    if not signin.enrolment_allowed(user):
        return redirect("backoffice:sign_in")
    device = signin.enrolment_device(user=user)
    form = CodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = signin.confirm_enrolment(
            user=user, code=form.cleaned_data["code"], ip=client_ip(request)
        )
        if confirmed is not None:
            messages.success(request, "Votre application d'authentification est enregistrée.")
            return _complete_sign_in(request, user, confirmed)
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "backoffice/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr": signin.enrolment_qr_data_uri(device=device, account=user.identifier),
            "manual_key": signin.manual_key(device),
        },
    )


# --- Finding and helping a landlord -----------------------------------------------------------


@staff_required("help_landlords")
def search_landlords(request):
    form = SearchForm(data=request.GET or None)
    result = search.find_landlords(form.cleaned_data["q"]) if form.is_valid() else None
    if result is not None and result.exact_single is not None:
        return redirect("backoffice:landlord", landlord_id=result.exact_single.pk)
    return render(request, "backoffice/search.html", {"form": form, "result": result})


@staff_required("help_landlords")
def landlord(request, landlord_id: int):
    landlord = selectors.landlord_for_staff(landlord_id)
    return render(
        request,
        "backoffice/landlord.html",
        {
            "landlord": landlord,
            "users": selectors.users_with_state(landlord),
            "portfolios": selectors.portfolios_of_landlord(landlord),
            "messages_sent": selectors.correspondence_of_landlord(landlord),
            "events": selectors.events_of_landlord(landlord),
        },
    )


USER_ACTIONS = {
    "identifiant": {
        "title": "Renvoyer l'identifiant",
        "service": services.resend_identifier,
        "form": ReasonForm,
        "done": "L'identifiant sera renvoyé par {channel}.",
    },
    "mot-de-passe": {
        "title": "Envoyer un nouveau mot de passe provisoire",
        "service": services.issue_new_temporary_password,
        "form": ReasonForm,
        "done": "Un nouveau mot de passe provisoire sera envoyé par {channel}.",
    },
    "debloquer": {
        "title": "Débloquer la connexion",
        "service": services.unlock_user,
        "form": ReasonForm,
        "done": "La connexion est débloquée.",
    },
    "mail": {
        "title": "Changer l'adresse mail",
        "service": services.change_user_email,
        "form": EmailChangeForm,
        "done": "L'adresse mail est changée.",
    },
    "desactiver": {
        "title": "Désactiver l'utilisateur",
        "service": services.disable_user,
        "form": ReasonForm,
        "done": "L'utilisateur est désactivé ; ses sessions sont terminées.",
    },
}
CHANNEL_WORDS = {"email": "mail", "letter": "courrier"}


def _user_action(request, landlord_id: int, user_id: int, action: str):
    spec = USER_ACTIONS[action]
    landlord = selectors.landlord_for_staff(landlord_id)
    user = selectors.user_of_landlord(landlord, user_id)
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
    landlord = selectors.landlord_for_staff(landlord_id)
    initial = {
        name: getattr(landlord, name)
        for name in ("address_line1", "address_line2", "postcode", "city")
    }
    form = AddressForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.change_landlord_address(
            landlord=landlord, agent=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, "L'adresse postale est changée.")
        return redirect("backoffice:landlord", landlord_id=landlord.pk)
    return render(
        request,
        "backoffice/user_action.html",
        {"form": form, "landlord": landlord, "title": "Changer l'adresse postale"},
    )


# --- Receipts ---------------------------------------------------------------------------------


@staff_required("process_receipts")
def receipts(request):
    page = Paginator(selectors.receipt_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/receipts.html", {"page": page})


@staff_required("process_receipts")
def receipt(request, receipt_id: int):
    receipt = selectors.receipt_for_staff(receipt_id)
    decision = request.POST.get("decision") if request.method == "POST" else None
    validation = ReceiptValidationForm(
        data=request.POST if decision == "validate" else None,
        initial={"amount": f"{receipt.amount}".replace(".", ",")},
    )
    rejection = ReceiptRejectionForm(data=request.POST if decision == "reject" else None)
    ip = client_ip(request)
    if decision == "validate" and validation.is_valid():
        services.validate_receipt(
            receipt=receipt, agent=request.user, amount=validation.cleaned_data["amount"], ip=ip
        )
        messages.success(request, "Quittance validée ; le bailleur est prévenu.")
        return redirect("backoffice:receipts")
    if decision == "reject" and rejection.is_valid():
        services.reject_receipt(
            receipt=receipt, agent=request.user, ip=ip, **rejection.cleaned_data
        )
        messages.success(request, "Quittance refusée ; le bailleur est prévenu.")
        return redirect("backoffice:receipts")
    return render(
        request,
        "backoffice/receipt.html",
        {"receipt": receipt, "validation": validation, "rejection": rejection},
    )


@staff_required("process_receipts")
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF], "object-src": [SELF]})
def receipt_file(request, receipt_id: int):
    """The scan, shown inside the receipt page only: checked type, never sniffed."""
    receipt = selectors.receipt_for_staff(receipt_id)
    if receipt.content_type not in ("application/pdf", "image/jpeg", "image/png"):
        raise Http404
    response = FileResponse(receipt.file.open("rb"), content_type=receipt.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Campaign ---------------------------------------------------------------------------------


def with_campaign_year(view):
    """Read ?annee= once for a campaign view (the current campaign when absent); a year that is
    not a campaign's gets a French "not found" page, never a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        today = clock.today()
        text = request.GET.get("annee")
        try:
            year = (
                rent_rules.campaign_year(today)
                if text is None
                else rent_rules.parse_campaign_year(text, today=today)
            )
        except rent_rules.CampaignYearError as error:
            return render(
                request, "backoffice/no_campaign.html", {"message": error.message}, status=404
            )
        return view(request, *args, year=year, **kwargs)

    return wrapped


@staff_required("view_campaign")
@with_campaign_year
def campaign(request, year: int):
    undeclared = Paginator(selectors.landlords_with_undeclared_rents(year), 50)
    return render(
        request,
        "backoffice/campaign.html",
        {
            "dashboard": selectors.campaign_dashboard(year),
            "campaign": campaign_of_year(year),
            "undeclared": undeclared.get_page(request.GET.get("page")),
            "may_remind": request.user.has_perm("backoffice.send_reminders"),
            "may_set_dates": request.user.has_perm("backoffice.set_campaign_dates"),
            "may_export": request.user.has_perm("backoffice.export_rents"),
        },
    )


@staff_required("set_campaign_dates")
@with_campaign_year
def campaign_dates(request, year: int):
    current = campaign_of_year(year)
    form = CampaignDatesForm(
        data=request.POST or None,
        initial={"opens_on": current.opens_on, "closes_on": current.closes_on},
        year=year,
    )
    if request.method == "POST" and form.is_valid():
        services.set_campaign_dates(
            year=year, agent=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, f"Les dates de la campagne {year} sont enregistrées.")
        return redirect(f"{reverse('backoffice:campaign')}?annee={year}")
    return render(request, "backoffice/campaign_dates.html", {"form": form, "year": year})


# Beyond this many landlords, reminders are sent by the background worker, not the request.
REMINDERS_IN_REQUEST = 500


@require_POST
@staff_required("send_reminders")
@with_campaign_year
def send_reminders(request, year: int):
    waiting = selectors.landlords_with_undeclared_rents(year).count()
    if waiting > REMINDERS_IN_REQUEST:
        send_reminders_task.enqueue(year, request.user.pk, client_ip(request))
        messages.success(
            request,
            f"Les relances de {waiting} bailleurs sont en cours d'envoi ; le nombre de mails "
            "envoyés figurera au journal (action staff.campaign_reminders).",
        )
    else:
        counts = services.send_reminders(year=year, agent=request.user, ip=client_ip(request))
        messages.success(
            request,
            f"{counts.sent} relance(s) mise(s) en file d'envoi ; {counts.already_today} "
            f"bailleur(s) déjà relancé(s) aujourd'hui ; {counts.no_email} sans adresse mail.",
        )
    return redirect(f"{reverse('backoffice:campaign')}?annee={year}")


class _Echo:
    def write(self, value):
        return value


@staff_required("export_rents")
@with_campaign_year
def export_rents(request, year: int):
    services.record_export(year=year, agent=request.user, ip=client_ip(request))
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["recipient_number", "year", "month", "amount", "source"])
        for rent in selectors.declared_rents(year).iterator(chunk_size=2000):
            yield writer.writerow(
                [rent.tenancy.recipient_number, rent.year, 7, f"{rent.amount}", rent.source]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loyers-juillet-{year}.csv"'
    return response


# --- Correspondence ---------------------------------------------------------------------------


@staff_required("watch_correspondence")
def correspondence(request):
    page = Paginator(selectors.failed_emails(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/correspondence.html",
        {
            "page": page,
            "letters_waiting": selectors.letters_waiting(),
            "batches": selectors.letter_batches()[:10],
            "may_print": request.user.has_perm("backoffice.print_letters"),
        },
    )


@require_POST
@staff_required("watch_correspondence")
def retry(request, message_id: int):
    message = get_object_or_404(Message, pk=message_id, channel=Message.Channel.EMAIL)
    if services.retry_message(message=message, agent=request.user, ip=client_ip(request)):
        messages.success(request, "Le mail est remis en file d'envoi.")
    else:
        messages.info(request, "Ce mail n'est plus en échec.")
    return redirect("backoffice:correspondence")


@require_POST
@staff_required("print_letters")
def print_letters(request):
    batch = services.print_letters(agent=request.user, ip=client_ip(request))
    if batch.path is None:
        messages.info(request, "Aucun courrier à imprimer.")
    else:
        messages.success(
            request, f"Lot prêt : {batch.count} courrier(s), marqués postés. Téléchargez-le."
        )
    return redirect("backoffice:correspondence")


@staff_required("print_letters")
def letter_batch(request, name: str):
    path = selectors.letter_batch(name)
    services.record_batch_download(name=name, agent=request.user, ip=client_ip(request))
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response
