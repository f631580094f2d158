"""Team pages of a legal landlord's administrator (Mon équipe): thin views.

Every view starts with ``landlord_administered_by``: anybody else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portail.common.http import client_ip

from . import selectors, services
from .forms import AccessForm, ContactEmailForm, MemberForm

JOURNAL_PER_PAGE = 50


@login_required
def team(request):
    landlord = selectors.landlord_administered_by(request.user)
    return render(
        request,
        "team/team.html",
        {
            "landlord": landlord,
            "members": selectors.team_of(landlord),
            "portfolios": selectors.portfolios_of_landlord(landlord),
        },
    )


@login_required
def add_member(request):
    landlord = selectors.landlord_administered_by(request.user)
    form = MemberForm(request.POST or None, portfolios=selectors.portfolios_of_landlord(landlord))
    if request.method == "POST" and form.is_valid():
        member = services.add_member(
            admin=request.user,
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            is_admin=form.cleaned_data["is_admin"],
            rights=form.rights(),
            ip=client_ip(request),
        )
        messages.success(
            request,
            f"{member.full_name} a été ajouté. Son identifiant et son mot de passe provisoire "
            f"lui sont envoyés à {member.email}.",
        )
        return redirect("team:team")
    return render(request, "team/member_form.html", {"form": form, "member": None})


@login_required
def member(request, user_id: int):
    landlord = selectors.landlord_administered_by(request.user)
    member = selectors.member_of(landlord, user_id)
    portfolios = selectors.portfolios_of_landlord(landlord)
    initial = {"is_admin": member.is_landlord_admin} | {
        AccessForm.right_field(pid): right for pid, right in selectors.rights_of(member).items()
    }
    form = AccessForm(request.POST or None, portfolios=portfolios, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_access(
                admin=request.user,
                member=member,
                is_admin=form.cleaned_data["is_admin"],
                rights=form.rights(),
                ip=client_ip(request),
            )
        except services.TeamRuleError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Les droits de {member.full_name} sont enregistrés.")
            return redirect("team:team")
    return render(request, "team/member_form.html", {"form": form, "member": member})


def _member_action(request, user_id: int, action, done: str):
    landlord = selectors.landlord_administered_by(request.user)
    member = selectors.member_of(landlord, user_id)
    try:
        action(admin=request.user, member=member, ip=client_ip(request))
    except services.TeamRuleError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done.format(name=member.full_name))
    return redirect("team:team")


@login_required
@require_POST
def suspend(request, user_id: int):
    return _member_action(
        request,
        user_id,
        services.suspend_member,
        "{name} est suspendu : il ne peut plus se connecter.",
    )


@login_required
@require_POST
def reactivate(request, user_id: int):
    return _member_action(
        request, user_id, services.reactivate_member, "{name} peut de nouveau se connecter."
    )


@login_required
def remove(request, user_id: int):
    """A confirmation page, then the removal."""
    if request.method == "POST":
        return _member_action(
            request,
            user_id,
            services.remove_member,
            "{name} a été retiré des utilisateurs du compte.",
        )
    landlord = selectors.landlord_administered_by(request.user)
    return render(request, "team/remove.html", {"member": selectors.member_of(landlord, user_id)})


@login_required
def contact_email(request):
    landlord = selectors.landlord_administered_by(request.user)
    form = ContactEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_contact_email(
                admin=request.user,
                password=form.cleaned_data["password"],
                new_email=form.cleaned_data["new_email"],
                ip=client_ip(request),
            )
        except services.TeamRuleError as refusal:
            form.add_error("password", refusal.message)
        else:
            messages.success(request, "L'adresse mail de contact du compte est modifiée.")
            return redirect("team:team")
    return render(request, "team/contact_email.html", {"form": form, "landlord": landlord})


@login_required
def journal(request):
    landlord = selectors.landlord_administered_by(request.user)
    page = Paginator(selectors.journal_of(landlord), JOURNAL_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "team/journal.html", {"page": page, "landlord": landlord})
