"""Sign-in, sign-out and the keep-alive that answers the idle-timeout warning."""

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import SignInForm


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def sign_in(request):
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(_next_url(request) or "portfolios:home")
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": _next_url(request) or "", "help_entry": 7 if form.errors else None},
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect("common:home")


@login_required
def keepalive(request):
    """Touching the session restarts the idle timeout (SESSION_SAVE_EVERY_REQUEST)."""
    return HttpResponse(status=204)
