"""Forms of the back office: French labels and messages, a reason for every action."""

import datetime

from django import forms

from portail.common.fields import SixDigitCodeField
from portail.common.portal_form import PortalForm
from portail.rents.forms import AmountField
from portail.rents.receipts import REJECTION_REASONS


class StaffSignInForm(PortalForm):
    identifier = forms.CharField(
        label="Identifiant agent",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": "Saisissez votre identifiant agent."},
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
        error_messages={"required": "Saisissez votre mot de passe."},
    )


class CodeForm(PortalForm):
    code = SixDigitCodeField(
        label="Code de vérification",
        help_text="Les 6 chiffres affichés par votre application d'authentification. "
        "Exemple : 123456",
        required_message=(
            "Saisissez le code de vérification : les 6 chiffres affichés par votre application."
        ),
    )


class SearchForm(PortalForm):
    q = forms.CharField(
        label="Rechercher un bailleur",
        help_text="Nom (début), SIRET, identifiant (LOG012345K), numéro utilisateur "
        "(1234 5678 90), adresse mail ou numéro allocataire d'un locataire.",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
        error_messages={
            "required": (
                "Rechercher un bailleur : saisissez ce que le bailleur vous a donné (nom, SIRET, "
                "identifiant…)."
            )
        },
    )


class ReasonForm(PortalForm):
    reason = forms.CharField(
        label="Motif",
        help_text="Obligatoire, conservé dans le journal. Exemple : appel du bailleur, "
        "identité vérifiée par son numéro utilisateur.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de cette action."},
    )


class EmailChangeForm(ReasonForm):
    email = forms.EmailField(
        label="Nouvelle adresse mail",
        help_text="Exemple : prenom.nom@exemple.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Saisissez la nouvelle adresse mail, par exemple prenom.nom@exemple.fr.",
            "invalid": "Saisissez une adresse mail complète, par exemple prenom.nom@exemple.fr.",
        },
    )
    field_order = ["email", "reason"]


class AddressForm(ReasonForm):
    address_line1 = forms.CharField(label="Adresse", max_length=200)
    address_line2 = forms.CharField(label="Complément d'adresse", max_length=200, required=False)
    postcode = forms.RegexField(
        label="Code postal",
        help_text="5 chiffres. Exemple : 13001",
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": "Le code postal compte 5 chiffres, par exemple 13001."},
    )
    city = forms.CharField(label="Commune", max_length=100)
    field_order = ["address_line1", "address_line2", "postcode", "city", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("address_line1", "postcode", "city"):
            label = self.fields[name].label.lower()
            self.fields[name].error_messages["required"] = f"Indiquez {label}."


class ReceiptValidationForm(PortalForm):
    amount = AmountField(
        label="Montant du loyer lu sur la quittance",
        help_text="Confirmez ou corrigez le montant. Exemple : 650,50",
        error_messages={"required": "Indiquez le montant du loyer lu sur la quittance."},
    )


class ReceiptRejectionForm(PortalForm):
    reason_code = forms.ChoiceField(
        label="Motif du refus",
        choices=[("", "Choisissez un motif"), *REJECTION_REASONS.items()],
        error_messages={"required": "Choisissez le motif du refus."},
    )
    details = forms.CharField(
        label="Précisions pour le bailleur",
        help_text="Facultatif ; elles figurent dans le mail envoyé au bailleur.",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CampaignDatesForm(PortalForm):
    opens_on = forms.DateField(
        label="Ouverture",
        help_text="Exemple : 01/07/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={"invalid": "Écrivez la date sous la forme 01/07/2026."},
    )
    closes_on = forms.DateField(
        label="Clôture",
        help_text="Exemple : 15/01/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={"invalid": "Écrivez la date sous la forme 15/01/2027."},
    )

    def clean(self):
        cleaned = super().clean()
        opens: datetime.date | None = cleaned.get("opens_on")
        closes: datetime.date | None = cleaned.get("closes_on")
        if opens and closes and closes <= opens:
            self.add_error("closes_on", "La clôture doit venir après l'ouverture.")
        return cleaned
