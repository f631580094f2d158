"""Sign-in, the forced and voluntary password change, recovery, and the e-mail given later."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portail.common import clock
from portail.common.http import client_ip
from portail.help.difficulties import Difficulty

from . import dispatch, ratelimit, recovery, services
from .backends import BACKEND
from .captcha import speak
from .forms import (
    EmailCodeForm,
    EmailForm,
    EmailWithPasswordForm,
    LostIdentifierForm,
    LostPasswordForm,
    LostPasswordLetterForm,
    NewPasswordForm,
    SignInForm,
)
from .middleware import MUST_CHANGE_PASSWORD, SEEN_AT, SIGNED_IN_AT, authenticated_recently

# When a password (chosen or temporary) was last typed in this session.
AUTHENTICATED_AT = "authenticated_at"
_CONFIRM_SALT = "accounts.lost_identifier.confirm"
_CONFIRM_MAX_AGE = 15 * 60
TOO_MANY_REQUESTS = (
    "Nous avons reçu beaucoup de demandes depuis votre connexion internet. Par sécurité, "
    "attendez une heure avant de recommencer, ou appelez votre Caf."
)


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# The sign-in page as a new visitor gets it (no error, no "next", no notice, nobody signed in)
# is the same HTML for everyone but its CSRF token: rendered once per process (the template
# was most of the page's cost), each visitor's own masked token put in its mark's place.
_TOKEN_MARK = "csrf0token0mark"  # noqa: S105 - a mark in the HTML, not a secret
_BLANK_SIGN_IN: list[str] = []


def _blank_sign_in_page(request) -> HttpResponse | None:
    """The blank sign-in page for this visit, or None when the visit needs its own rendering."""
    if (
        request.method != "GET"
        or request.META.get("QUERY_STRING")
        or request.user.is_authenticated
        or get_messages(request)
    ):
        return None
    if not _BLANK_SIGN_IN:
        html = render_to_string(
            "accounts/sign_in.html",
            {**_sign_in_context(request, SignInForm(request)), "csrf_token": _TOKEN_MARK},
            request=request,
        )
        parts = html.split(_TOKEN_MARK)
        if len(parts) != 2:  # one form, one token: anything else is rendered each time
            return None
        _BLANK_SIGN_IN[:] = parts
    before, after = _BLANK_SIGN_IN
    return HttpResponse(before + get_token(request) + after)


def _sign_in_context(request, form) -> dict:
    return {
        "form": form,
        "next": _next_url(request) or "",
        "help_entry": form.help_entry,
        "offer_lost_password": bool(form.result and form.result.refusal == "expired"),
        "recovery_by_email": bool(
            form.result and form.result.user and dispatch.recovery_by_email(form.result.user)
        ),
    }


@never_cache
def sign_in(request):
    blank = _blank_sign_in_page(request)
    if blank is not None:
        return blank
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        _open_session(request, form)
        if form.result.via_temporary:
            return redirect("accounts:change_password")
        return redirect(_next_url(request) or "portfolios:home")
    return render(request, "accounts/sign_in.html", _sign_in_context(request, form))


def _open_session(request, form: SignInForm) -> None:
    """The checked sign-in's writes in one transaction, one commit: the record of the success
    (counters, audit event), the last login (``login``'s signal) and the new session (saved
    here; the response's save finds it written). ``login`` cycles the session key."""
    with transaction.atomic():
        services.record_sign_in(
            identifier=form.cleaned_data["identifier"], ip=client_ip(request), result=form.result
        )
        login(request, form.user, backend=BACKEND)
        now = clock.now().timestamp()
        # SEEN_AT too: this save starts the idle timeout, the next page need not save again.
        request.session[SIGNED_IN_AT] = request.session[AUTHENTICATED_AT] = now
        request.session[SEEN_AT] = now
        if form.result.via_temporary:
            request.session[MUST_CHANGE_PASSWORD] = True
        request.session.save()


@require_POST
def sign_out(request):
    logout(request)
    return redirect("common:home")


@login_required
def keepalive(request):
    """ "Rester connecté": saving the session restarts the idle timeout."""
    request.session.modified = True
    return HttpResponse(status=204)


@never_cache
@login_required
def change_password(request):
    forced = bool(request.session.get(MUST_CHANGE_PASSWORD))
    form = NewPasswordForm(request.user, data=request.POST or None, ask_current=not forced)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            user=request.user,
            new_password=form.cleaned_data["new_password1"],
            ip=client_ip(request),
        )
        update_session_auth_hash(request, request.user)  # other sessions end, this one stays
        request.session[AUTHENTICATED_AT] = clock.now().timestamp()
        request.session.pop(MUST_CHANGE_PASSWORD, None)
        messages.success(request, "Votre mot de passe est enregistré.")
        if request.user.landlord_id and not request.user.email_confirmed:
            return redirect("accounts:give_email")
        return redirect("portfolios:home")
    return render(
        request,
        "accounts/change_password.html",
        {
            "form": form,
            "forced": forced,
            "help_entry": Difficulty.PASSWORD_NOT_ACCEPTED if form.errors else None,
        },
    )


@never_cache
@login_required
def give_email(request):
    """The e-mail used for recovery; re-authentication unless a password was just typed."""
    data, initial = request.POST or None, {"email": request.user.email}
    if authenticated_recently(request.session.get(AUTHENTICATED_AT), clock.now()):
        form = EmailForm(data=data, initial=initial)
    else:
        form = EmailWithPasswordForm(request.user, data=data, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.request_email_confirmation(
            user=request.user, email=form.cleaned_data["email"], ip=client_ip(request)
        )
        return redirect("accounts:confirm_email")
    return render(request, "accounts/give_email.html", {"form": form})


@never_cache
@login_required
def confirm_email(request):
    pending = services.pending_email(request.user)
    if pending is None:
        return redirect("accounts:give_email")
    form = EmailCodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = services.confirm_email(
            user=request.user, code=form.cleaned_data["code"], ip=client_ip(request)
        )
        if error is None:
            messages.success(
                request,
                f"Votre adresse mail {pending.email} est confirmée. Elle servira si vous "
                "perdez votre identifiant ou votre mot de passe.",
            )
            return redirect("portfolios:home")
        form.add_error("code", error)
    return render(request, "accounts/confirm_email.html", {"form": form, "pending": pending})


def _recovery_form(form_class, request):
    """The form, bound on POST; the captcha's "Afficher une autre image" is a plain reload."""
    if request.method != "POST":
        return form_class(), False
    return form_class(data=request.POST), True


@never_cache
def lost_identifier(request):
    form, submitted = _recovery_form(LostIdentifierForm, request)
    if submitted and form.is_valid():
        ip = client_ip(request)
        number = form.cleaned_data["user_number"]
        if not ratelimit.allow(
            scope="recovery-ip", key=ip or "", limit=ratelimit.RECOVERY_PER_IP_PER_HOUR
        ):
            form.add_error(None, TOO_MANY_REQUESTS)
        else:
            if ratelimit.allow(
                scope="identifier", key=number, limit=ratelimit.RECOVERY_PER_TARGET_PER_HOUR
            ):
                outcome = recovery.ask_identifier(user_number=number, ip=ip)
                if outcome.needs_confirmation:
                    token = signing.dumps(
                        [number, outcome.letter_sent_at.timestamp()], salt=_CONFIRM_SALT
                    )
                    return render(
                        request,
                        "accounts/lost_identifier_confirm.html",
                        {"token": token, "sent_at": outcome.letter_sent_at},
                    )
            return redirect("accounts:lost_identifier_sent")
    return render(
        request,
        "accounts/lost_identifier.html",
        {
            "form": form,
            "help_entry": Difficulty.USER_NUMBER_NOT_FOUND
            if form.errors.get("user_number")
            else None,
        },
    )


@require_POST
def lost_identifier_confirm(request):
    """The landlord confirms a new letter although one is on its way (difficulty 6)."""
    try:
        number, letter_of = signing.loads(
            request.POST.get("token", ""), salt=_CONFIRM_SALT, max_age=_CONFIRM_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        messages.error(request, "Cette demande a expiré. Recommencez, s'il vous plaît.")
        return redirect("accounts:lost_identifier")
    outcome = services.remind_identifier(
        user_number=number, ip=client_ip(request), confirmed_letter_of=letter_of
    )
    if outcome.needs_confirmation:  # a replayed confirmation: the letter it named is gone
        messages.info(request, "Un nouveau courrier vient déjà de vous être envoyé.")
    return redirect("accounts:lost_identifier_sent")


def lost_identifier_sent(request):
    return render(request, "accounts/lost_identifier_sent.html")


@never_cache
def lost_password(request):
    form, submitted = _recovery_form(LostPasswordForm, request)
    if submitted and form.is_valid():
        ip = client_ip(request)
        email = form.cleaned_data["email"].lower()
        if not ratelimit.allow(
            scope="recovery-ip", key=ip or "", limit=ratelimit.RECOVERY_PER_IP_PER_HOUR
        ):
            form.add_error(None, TOO_MANY_REQUESTS)
        else:
            if ratelimit.allow(
                scope="email", key=email, limit=ratelimit.RECOVERY_PER_TARGET_PER_HOUR
            ):
                recovery.ask_password(email=email, ip=ip)
            return redirect("accounts:lost_password_sent")
    return render(
        request,
        "accounts/lost_password.html",
        {
            "form": form,
            "help_entry": Difficulty.LOST_TEMPORARY_PASSWORD_BY_EMAIL if form.errors else None,
        },
    )


def lost_password_sent(request):
    return render(request, "accounts/lost_password_sent.html")


@never_cache
def lost_password_letter(request):
    """Mot de passe perdu without e-mail: a new temporary password by post (user number)."""
    form, submitted = _recovery_form(LostPasswordLetterForm, request)
    if submitted and form.is_valid():
        ip = client_ip(request)
        number = form.cleaned_data["user_number"]
        if not ratelimit.allow(
            scope="recovery-ip", key=ip or "", limit=ratelimit.RECOVERY_PER_IP_PER_HOUR
        ):
            form.add_error(None, TOO_MANY_REQUESTS)
        else:
            if ratelimit.allow(
                scope="password-letter",
                key=number,
                limit=ratelimit.RECOVERY_LETTERS_PER_TARGET_PER_DAY,
                window_seconds=ratelimit.DAY,
            ):
                recovery.ask_password_by_letter(user_number=number, ip=ip)
            return redirect("accounts:lost_password_letter_sent")
    return render(
        request,
        "accounts/lost_password_letter.html",
        {"form": form, "help_entry": 4 if form.errors.get("user_number") else None},
    )


def lost_password_letter_sent(request):
    return render(request, "accounts/lost_password_letter_sent.html")


def captcha_audio(request, key: str):
    """The captcha spelt aloud in French, for people who cannot read the image."""
    from captcha.models import CaptchaStore

    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=clock.now()).first()
    if store is None or not settings.CAPTCHA_SPEECH_PATH:
        raise Http404
    response = HttpResponse(speak(store.challenge), content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    return response
