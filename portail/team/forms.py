"""Forms of the team pages: a colleague, their rights per parc, the contact e-mail."""

from django import forms

from portail.common.portal_form import PortalForm
from portail.portfolios.models import Grant

from .rules import NO_ACCESS

RIGHT_CHOICES = [
    (NO_ACCESS, "Aucun accès"),
    (Grant.Right.CONSULT, "Consulter"),
    (Grant.Right.DECLARE, "Consulter et déclarer les loyers"),
]


class AccessForm(PortalForm):
    """Administrator or not and, for a user, one right per parc of the landlord."""

    is_admin = forms.BooleanField(
        label="Administrateur du compte",
        help_text=(
            "Un administrateur voit tous les parcs, déclare les loyers et gère les utilisateurs."
        ),
        required=False,
    )

    def __init__(self, *args, portfolios, **kwargs):
        super().__init__(*args, **kwargs)
        self.portfolios = list(portfolios)
        for portfolio in self.portfolios:
            self.fields[self.right_field(portfolio.pk)] = forms.ChoiceField(
                label=portfolio.name,
                choices=RIGHT_CHOICES,
                initial=NO_ACCESS,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def right_field(portfolio_id: int) -> str:
        return f"right_{portfolio_id}"

    def right_fields(self):
        return [self[self.right_field(p.pk)] for p in self.portfolios]

    def rights(self) -> dict[int, str]:
        return {
            p.pk: self.cleaned_data.get(self.right_field(p.pk)) or NO_ACCESS
            for p in self.portfolios
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_admin") and self.portfolios and not any(self.rights().values()):
            raise forms.ValidationError(
                "Choisissez au moins un parc à ouvrir à cet utilisateur, ou faites-en un "
                "administrateur du compte."
            )
        return cleaned


class MemberForm(AccessForm):
    full_name = forms.CharField(
        label="Prénom et nom",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Adresse mail",
        help_text=(
            "Son identifiant et son mot de passe provisoire (valable 14 jours) y seront "
            "envoyés. Exemple : prenom.nom@exemple.fr"
        ),
        error_messages={
            "invalid": "Saisissez une adresse mail complète, par exemple prenom.nom@exemple.fr."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["full_name", "email", "is_admin"]
    required_messages = {
        "full_name": "Saisissez le prénom et nom de la personne, par exemple Camille Martin.",
        "email": (
            "Saisissez l'adresse mail de la personne, par exemple prenom.nom@exemple.fr : son "
            "identifiant et son mot de passe provisoire y seront envoyés."
        ),
    }


class ContactEmailForm(PortalForm):
    new_email = forms.EmailField(
        label="Nouvelle adresse mail de contact",
        help_text="Exemple : gestion@exemple.fr",
        error_messages={
            "invalid": "Saisissez une adresse mail complète, par exemple gestion@exemple.fr."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Votre mot de passe",
        help_text="Par sécurité, confirmez ce changement avec le mot de passe de votre connexion.",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
    )
    required_messages = {
        "new_email": (
            "Saisissez la nouvelle adresse mail de contact, par exemple gestion@exemple.fr."
        ),
        "password": "Saisissez votre mot de passe, celui de votre connexion.",
    }
