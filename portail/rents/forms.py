"""Forms of the rents app: amounts are read by rules.parse_amount, nowhere else."""

from django import forms
from django.core.validators import MaxLengthValidator

from portail.common.portal_form import PortalForm

from . import receipts, rules

AMOUNT_HINT = "Exemple : 650,50"
AMOUNT_MAX_LENGTH = 40


class AmountField(forms.CharField):
    """A euro amount typed the French way (difficulty 10); cleans to a Decimal. The one amount
    field of every form, the landlords' and the agency staff's."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", AMOUNT_MAX_LENGTH)
        kwargs.setdefault("help_text", AMOUNT_HINT)
        super().__init__(**kwargs)
        # The length is checked on the text, before reading it (to_python), not on the Decimal.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.widget.attrs.update(
            {
                "inputmode": "decimal",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > self.max_length:
            raise forms.ValidationError(
                f"Ce montant compte {len(value)} caractères, c'est trop pour un loyer. "
                f"{rules.AMOUNT_EXAMPLE}",
                code="max_length",
            )
        try:
            return rules.parse_amount(value)
        except rules.AmountError as error:
            raise forms.ValidationError(error.message, code="amount") from None


class DeclarationForm(PortalForm):
    amount = AmountField(label="Loyer de juillet")
    token = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, label="Je confirme ce montant")

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Loyer de juillet {year} (hors charges)"
        self.set_required_message(
            "amount",
            f"Saisissez le loyer de juillet {year} (hors charges), en euros, par exemple 650,50.",
        )


class ReceiptForm(PortalForm):
    amount = AmountField(label="Montant du loyer indiqué sur la quittance")
    file = forms.FileField(
        label="Quittance (photo ou scan)",
        help_text="Fichier PDF, JPEG ou PNG, 10 Mo au plus.",
    )
    required_messages = {
        "file": (
            "Choisissez le fichier de la quittance (photo ou scan) : un PDF, ou une photo "
            "JPEG ou PNG."
        ),
    }

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Loyer de juillet {year} indiqué sur la quittance"
        self.set_required_message(
            "amount",
            f"Saisissez le loyer de juillet {year} indiqué sur la quittance, en euros, par "
            "exemple 650,50.",
        )
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > receipts.RECEIPT_MAX_BYTES:
            raise forms.ValidationError(
                "Ce fichier dépasse 10 Mo : envoyez une photo moins lourde ou un scan en PDF."
            )
        head = upload.read(2048)
        upload.seek(0)
        if receipts.receipt_content_type(head) is None:
            raise forms.ValidationError(
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez la quittance "
                "dans l'un de ces formats."
            )
        return upload


class BulkImportForm(PortalForm):
    file = forms.FileField(
        label="Fichier des loyers (CSV ou XLSX)",
        help_text=(
            "Une ligne par locataire : numéro allocataire, puis montant (exemple : "
            "1000003;650,50). Une ligne d'en-tête est permise. 10 Mo et 100 000 lignes au plus ; "
            "CSV en UTF-8 ou Windows-1252."
        ),
    )
    required_messages = {
        "file": "Choisissez le fichier des loyers (CSV ou XLSX) à déposer.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.txt"


class BulkRecordForm(PortalForm):
    valid_only = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(
        required=False, label="Je confirme les montants inhabituels signalés"
    )


class TenantFilterForm(PortalForm):
    q = forms.CharField(
        required=False,
        label="Rechercher un locataire",
        help_text="Nom du locataire, ou son numéro allocataire (son numéro de dossier à la Caf)",
        max_length=100,
    )
    statut = forms.ChoiceField(
        required=False,
        label="Statut",
        choices=[("", "Tous")] + list(rules.Status.LABELS.items()),
    )
    tri = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
