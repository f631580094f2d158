"""What the obligations app adds to the tenant list (rents.tenant_list.TenantListExtras): on a
row, « Impayé signalé le 27/11/2026 (reçu) »; the tenant's name links to its page (reports,
departure); under the list, the portfolio's unpaid rents and changes."""

from django.urls import reverse

from portail.common.formats import french_date

from . import selectors


def notes(tenancy_ids: list[int]) -> dict[int, list[str]]:
    """The open unpaid-rent report of each row that has one (one query for the page)."""
    return {
        tenancy_id: [
            f"Impayé signalé le {french_date(report.reported_at)} ({report.get_status_display()})"
        ]
        for tenancy_id, report in selectors.open_unpaid_reports_of(tenancy_ids).items()
    }


def tenancy_url(portfolio_id: int) -> str:
    """A tenant's page, ``{id}`` standing for the tenancy's id (one reverse for the page)."""
    return reverse(
        "obligations:tenancy", kwargs={"portfolio_id": portfolio_id, "tenancy_id": 0}
    ).replace("/0/", "/{id}/")


def links(portfolio) -> list[tuple[str, str]]:
    kwargs = {"portfolio_id": portfolio.pk}
    return [
        (
            "Signaler un impayé" if portfolio.may_declare else "Impayés signalés",
            reverse("obligations:unpaid_reports", kwargs=kwargs),
        ),
        ("Départs et changements déclarés", reverse("obligations:change_reports", kwargs=kwargs)),
    ]
