"""The rent campaign: dashboard, dates, reminders, export of the declared rents."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portail.common import clock
from portail.common.http import client_ip, streaming_csv_response
from portail.rents import rules as rent_rules
from portail.rents import selectors as rent_selectors
from portail.rents.selectors import campaign_of_year

from .. import selectors, services
from ..access import staff_required
from ..forms import (
    CampaignDatesForm,
)
from ..tasks import send_reminders_task


def _year(request) -> int:
    try:
        return int(request.GET.get("annee", ""))
    except ValueError:
        return rent_rules.campaign_year(clock.today())


@staff_required("view_campaign")
def campaign(request):
    year = _year(request)
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
def campaign_dates(request):
    year = _year(request)
    current = campaign_of_year(year)
    form = CampaignDatesForm(
        data=request.POST or None,
        initial={"opens_on": current.opens_on, "closes_on": current.closes_on},
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
def send_reminders(request):
    year = _year(request)
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


@staff_required("export_rents")
def export_rents(request):
    year = _year(request)
    services.record_export(year=year, agent=request.user, ip=client_ip(request))

    def rows():
        yield ["recipient_number", "year", "month", "amount", "source"]
        for rent in rent_selectors.declared_rents(year).iterator(chunk_size=2000):
            yield [rent.tenancy.recipient_number, rent.year, 7, f"{rent.amount}", rent.source]

    return streaming_csv_response(rows(), filename=f"loyers-juillet-{year}.csv")
