"""The payments page's search and month filter (GET: a wrong value is ignored, not an error)."""

import datetime
import re

from django import forms

from portail.common.portal_form import PortalForm

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PaymentFilterForm(PortalForm):
    mois = forms.CharField(required=False, label="Mois", max_length=7)
    q = forms.CharField(
        required=False,
        label="Rechercher un locataire",
        help_text="Nom ou numéro allocataire",
        max_length=100,
    )

    def clean_mois(self) -> datetime.date | None:
        text = self.cleaned_data.get("mois") or ""
        match = _MONTH.match(text)
        if not text:
            return None
        if not match or not 1 <= int(match[2]) <= 12 or not 1990 <= int(match[1]) <= 2100:
            raise forms.ValidationError("Choisissez un mois de la liste.")
        return datetime.date(int(match[1]), int(match[2]), 1)
