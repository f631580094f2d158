"""Staff sign-in: password, then the TOTP code (or enrolment of an authenticator app)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from portail.accounts.backends import BACKEND
from portail.accounts.middleware import SIGNED_IN_AT
from portail.accounts.models import User
from portail.common import clock
from portail.common.formats import french_datetime
from portail.common.http import client_ip

from .. import signin
from ..forms import (
    CodeForm,
    StaffSignInForm,
)

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
