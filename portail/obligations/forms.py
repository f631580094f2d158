"""Forms of the landlord's other duties: amounts through the one amount field (rents), dates
and months typed the French way, files checked like receipts (type from content, 10 MB)."""

import datetime
import re

from django import forms
from django.core.validators import MaxLengthValidator

from portail.common import clock
from portail.common.portal_form import PortalForm
from portail.rents.forms import AmountField
from portail.rents.receipts import RECEIPT_MAX_BYTES, receipt_content_type

from .models import ChangeContent, UnpaidRentReport

_MONTH = re.compile(r"\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*")
_ISO_MONTH = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")
YES_NO = [("oui", "Oui"), ("non", "Non")]


class MonthField(forms.CharField):
    """A month typed 11/2026 (or 2026-11): cleans to the first day of that month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Mois et année, par exemple 10/2026")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        # The length is checked on the text, before it is read as a date (to_python).
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 20:
            raise forms.ValidationError("Écrivez le mois et l'année sous la forme 10/2026.")
        found = _MONTH.fullmatch(value)
        month, year = (found.group(1), found.group(2)) if found else (None, None)
        if found is None and (iso := _ISO_MONTH.fullmatch(value)):
            year, month = iso.groups()
        if month is None or not 1 <= int(month) <= 12 or not 1990 <= int(year) <= 2100:
            raise forms.ValidationError(
                "Écrivez le mois et l'année sous la forme 10/2026.", code="month"
            )
        return datetime.date(int(year), int(month), 1)


def date_field(label: str, *, example: str = "15/01/2027", required: bool = True):
    return forms.DateField(
        label=label,
        required=required,
        help_text=f"Exemple : {example}",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        error_messages={
            "invalid": f"Écrivez la date sous la forme {example}.",
            "required": f"Indiquez la date : « {label} », par exemple {example}.",
        },
    )


def _amount(label: str, what: str, **kwargs) -> AmountField:
    return AmountField(
        label=label,
        error_messages={"required": f"Indiquez {what} : « {label} », par exemple 650,50."},
        **kwargs,
    )


class UnpaidRentForm(PortalForm):
    """The facts of an unpaid rent; the portal checks them against the rule in force."""

    first_unpaid_month = MonthField(
        label="Premier mois impayé",
        error_messages={"required": "Indiquez le « Premier mois impayé », par exemple 10/2026."},
    )
    monthly_rent = _amount("Loyer mensuel (hors charges)", "le loyer mensuel")
    monthly_charges = _amount(
        "Charges mensuelles", "les charges", required=False,
        help_text="Exemple : 20,00 ; laissez vide s'il n'y a pas de charges",
    )  # fmt: skip
    aid = _amount(
        "Aide au logement versée chaque mois au bailleur", "l'aide versée chaque mois",
        help_text="Le montant que la Caf vous verse pour ce locataire. Exemple : 50,00",
    )  # fmt: skip
    amount_owed = _amount(
        "Dette du locataire à ce jour", "la dette à ce jour",
        help_text="Loyers et charges impayés, aide déduite. Exemple : 500,00",
    )  # fmt: skip
    tenant_pays_part = forms.ChoiceField(
        label="Le locataire paie-t-il encore une partie du loyer ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Répondez à « Le locataire paie-t-il encore une partie du loyer ? »."
        },
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, direct_payment: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.direct_payment = direct_payment
        if not direct_payment:
            del self.fields["aid"]

    def clean_first_unpaid_month(self):
        month = self.cleaned_data["first_unpaid_month"]
        if month and month > clock.today():
            raise forms.ValidationError(
                "Le premier mois impayé ne peut pas être un mois à venir : vérifiez l'année."
            )
        return month

    def clean(self):
        cleaned = super().clean()
        rent, aid = cleaned.get("monthly_rent"), cleaned.get("aid")
        charges = cleaned.get("monthly_charges") or 0
        if rent is not None and aid is not None and aid >= rent + charges:
            self.add_error(
                "aid",
                "L'aide versée ne peut pas atteindre le loyer et les charges : vérifiez les "
                "montants.",
            )
        return cleaned

    def facts(self) -> dict:
        """The cleaned facts, as the service and the rule take them."""
        data = self.cleaned_data
        return {
            "first_unpaid_month": data["first_unpaid_month"],
            "monthly_rent": data["monthly_rent"],
            "monthly_charges": data.get("monthly_charges") or 0,
            "aid": data.get("aid"),
            "amount_owed": data["amount_owed"],
            "tenant_pays_part": data["tenant_pays_part"] == "oui",
        }


class TenancyChoiceForm(PortalForm):
    """Which tenant, by recipient number, from the portfolio's "Signaler un impayé" entry."""

    recipient_number = forms.CharField(
        label="Numéro allocataire du locataire",
        help_text="Il figure dans la liste de vos locataires. Exemple : 1000003",
        max_length=13,
        error_messages={"required": "Indiquez le « Numéro allocataire du locataire »."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_number"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        )

    def clean_recipient_number(self):
        return "".join(self.cleaned_data["recipient_number"].split())


class ScanField(forms.FileField):
    """A signed paper, scanned: PDF, JPEG or PNG read from the content, 10 MB at most."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Fichier PDF, JPEG ou PNG, 10 Mo au plus.")
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        if upload.size > RECEIPT_MAX_BYTES:
            raise forms.ValidationError("Ce fichier dépasse 10 Mo : envoyez un scan moins lourd.")
        head = upload.read(2048)
        upload.seek(0)
        if receipt_content_type(head) is None:
            raise forms.ValidationError(
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez-le dans l'un de "
                "ces formats."
            )
        return upload


class RepaymentPlanForm(PortalForm):
    file = ScanField(
        label="Plan d'apurement signé (scan ou photo)",
        error_messages={
            "required": "Choisissez le fichier « Plan d'apurement signé (scan ou photo) »."
        },
    )


class PaidOffForm(PortalForm):
    paid_off_on = date_field("Date à laquelle la dette a été soldée", example="15/11/2026")


class ChangeForm(PortalForm):
    """The fields of one kind of change; the kind is chosen by the page, not by the form."""

    FIELDS = {
        ChangeContent.Kind.DEPARTURE: (
            "move_out_date",
            "lease_end_date",
            "new_address",
        ),
        ChangeContent.Kind.CO_TENANTS: ("co_tenant_count", "change_date"),
        ChangeContent.Kind.END_OF_MANAGEMENT: ("end_reason", "change_date"),
    }

    move_out_date = date_field("Date de départ du locataire", example="31/12/2026")
    lease_end_date = date_field("Date de fin du bail", example="31/12/2026", required=False)
    new_address = forms.CharField(
        label="Nouvelle adresse du locataire (si vous la connaissez)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    co_tenant_count = forms.IntegerField(
        label="Nombre de colocataires dans le logement",
        min_value=1,
        max_value=20,
        help_text="Le locataire compris. Exemple : 2",
        error_messages={
            "required": (
                "Indiquez le nombre de colocataires, le locataire compris : « Nombre de "
                "colocataires dans le logement »."
            ),
            "invalid": "Écrivez un nombre, par exemple 2.",
            "min_value": "Indiquez au moins 1 (le locataire).",
            "max_value": "Indiquez 20 colocataires au plus ; au-delà, appelez votre Caf.",
        },
    )
    end_reason = forms.ChoiceField(
        label="Pourquoi la gestion de ce logement prend-elle fin ?",
        choices=ChangeContent.EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Répondez à « Pourquoi la gestion de ce logement prend-elle fin ? »."
        },
    )
    change_date = date_field("Date du changement", example="01/01/2027")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(self.FIELDS[kind]) | {"version", "token"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "co_tenant_count" in self.fields:
            self.fields["co_tenant_count"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        cleaned = super().clean()
        move_out, lease_end = cleaned.get("move_out_date"), cleaned.get("lease_end_date")
        if move_out and lease_end and lease_end < move_out:
            self.add_error(
                "lease_end_date",
                "La fin du bail ne peut pas précéder le départ du locataire : vérifiez les dates.",
            )
        return cleaned

    def content(self) -> dict:
        return {"kind": self.kind, **{f: self.cleaned_data.get(f) for f in self.FIELDS[self.kind]}}


class StaffStatusForm(PortalForm):
    """An agent moves an unpaid-rent report, always with a reason the landlord will read."""

    status = forms.ChoiceField(
        label="Nouvel état",
        choices=UnpaidRentReport.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le « Nouvel état »."},
    )
    reason = forms.CharField(
        label="Motif",
        help_text="Le bailleur le lira dans le courrier qui lui annonce le nouvel état.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif : le bailleur le lira dans le courrier."},
    )
