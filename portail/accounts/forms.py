"""Sign-in form: a forgiving identifier, an exact password, one generic refusal."""

from django import forms
from django.contrib.auth import authenticate

from . import rules

GENERIC_REFUSAL = (
    "Identifiant ou mot de passe incorrect. Vérifiez l'identifiant (LOG, 6 chiffres, 1 lettre) "
    "et le mot de passe, en respectant les majuscules et les minuscules."
)


class SignInForm(forms.Form):
    identifier = forms.CharField(
        label="Identifiant",
        help_text="Il commence par LOG, suivi de 6 chiffres et d'une lettre. Exemple : LOG012345K",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label="Mot de passe",
        help_text="Vous pouvez coller le mot de passe reçu par mail.",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean_identifier(self) -> str:
        try:
            return rules.parse_identifier(self.cleaned_data["identifier"])
        except rules.IdentifierError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean(self):
        cleaned = super().clean()
        identifier, password = cleaned.get("identifier"), cleaned.get("password")
        if identifier and password:
            self.user = authenticate(self.request, identifier=identifier, password=password)
            if self.user is None:
                raise forms.ValidationError(GENERIC_REFUSAL, code="invalid_login")
        return cleaned
