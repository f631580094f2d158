"""Forms of sign-in and of the credential life cycle: French messages, values kept."""

from django import forms
from django.contrib.auth import password_validation

from portail.common.fields import SixDigitCodeField
from portail.common.formats import french_long_date, french_long_datetime
from portail.common.http import client_ip
from portail.common.portal_form import PortalForm
from portail.help.difficulties import Difficulty

from . import dispatch, rules
from .captcha import captcha_field
from .services import Refusal, SignInResult, attempt_sign_in

GENERIC_REFUSAL = (
    "Identifiant ou mot de passe incorrect. Vérifiez l'identifiant (LOG, 6 chiffres, 1 lettre) "
    "et le mot de passe, en respectant les majuscules et les minuscules."
)


def new_password_path(user) -> str:
    """Where this person asks for a new temporary password: the path that works for them."""
    if user is not None and dispatch.recovery_by_email(user):
        return "« Mot de passe perdu » : il vous sera envoyé par mail"
    return (
        "« Mot de passe perdu », puis « Recevoir un mot de passe provisoire par courrier » : il "
        "vous sera envoyé par courrier"
    )


def refusal_message(result: SignInResult) -> str:
    """The French sentence that explains a refused sign-in (difficulties 6, 7, 8)."""
    if result.refusal == Refusal.LOCKED:
        return (
            "Après plusieurs essais sans succès, la connexion est bloquée par sécurité jusqu'au "
            f"{french_long_datetime(result.when)}. Vous pourrez réessayer ensuite. Si vous avez "
            "oublié votre mot de passe, utilisez « Mot de passe perdu »."
        )
    if result.refusal == Refusal.EXPIRED:
        return (
            f"Ce mot de passe provisoire a expiré le {french_long_datetime(result.when)}. "
            f"Demandez-en un nouveau avec {new_password_path(result.user)}."
        )
    if result.refusal == Refusal.SUPERSEDED:
        return (
            "Ce mot de passe provisoire a été remplacé par un plus récent, envoyé le "
            f"{french_long_date(result.when)}. Utilisez celui du dernier mail ou courrier reçu."
        )
    return GENERIC_REFUSAL


REFUSAL_HELP_ENTRY = {
    Refusal.INVALID: Difficulty.PASSWORD_NOT_ACCEPTED,
    Refusal.LOCKED: Difficulty.PASSWORD_NOT_ACCEPTED,
    Refusal.EXPIRED: Difficulty.TEMPORARY_PASSWORD_EXPIRED,
    Refusal.SUPERSEDED: Difficulty.CREDENTIALS_LETTER_NOT_RECEIVED,
}


class SignInForm(PortalForm):
    required_messages = {
        "identifier": (
            "Saisissez votre identifiant (il commence par LOG, par exemple LOG012345K). Vous le "
            "trouverez dans le premier mail ou courrier reçu de votre Caf."
        ),
        "password": (
            "Saisissez votre mot de passe : celui que vous avez choisi, ou le mot de passe "
            "provisoire reçu par mail ou par courrier."
        ),
    }
    identifier = forms.CharField(
        label="Identifiant",
        help_text=(
            "Il commence par LOG, suivi de 6 chiffres et d'une lettre ; il figure dans le mail "
            "ou le courrier qui vous a donné votre mot de passe provisoire. Exemple : LOG012345K"
        ),
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
        max_length=rules.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        self.result: SignInResult | None = None
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
            self.result = attempt_sign_in(
                identifier=identifier, password=password, ip=client_ip(self.request)
            )
            if self.result.refusal:
                raise forms.ValidationError(refusal_message(self.result), code=self.result.refusal)
            self.user = self.result.user
        return cleaned

    @property
    def help_entry(self) -> Difficulty | None:
        if self.result is not None and self.result.refusal:
            return REFUSAL_HELP_ENTRY[self.result.refusal]
        if "identifier" in self.errors:
            return Difficulty.IDENTIFIER_NOT_ACCEPTED
        return Difficulty.PASSWORD_NOT_ACCEPTED if self.errors else None


class NewPasswordForm(PortalForm):
    """Choose a password (CNIL policy); the current one is asked unless a temporary one was used."""

    required_messages = {
        "current_password": "Saisissez votre mot de passe actuel, celui de votre connexion.",
        "new_password1": (
            "Choisissez un nouveau mot de passe, par exemple une phrase facile à retenir comme "
            "Tilleul-Printemps-Lavande."
        ),
        "new_password2": "Confirmez le nouveau mot de passe : tapez-le une seconde fois.",
    }

    current_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
    )
    new_password1 = forms.CharField(
        label="Nouveau mot de passe",
        help_text=(
            "Au moins 14 caractères, ou au moins 12 mêlant minuscules, majuscules, chiffres et "
            "caractères spéciaux ; ni votre identifiant, ni votre nom, ni votre adresse mail. "
            "Exemple de phrase facile à retenir : Tilleul-Printemps-Lavande."
        ),
        strip=False,
        max_length=rules.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-password-toggle": ""}
        ),
    )
    new_password2 = forms.CharField(
        label="Confirmez le nouveau mot de passe",
        help_text="Tapez-le une seconde fois.",
        strip=False,
        max_length=rules.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-password-toggle": ""}
        ),
    )

    def __init__(self, user, *args, ask_current: bool = True, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not ask_current:
            del self.fields["current_password"]

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(
                "Le mot de passe actuel ne correspond pas. Tapez-le exactement, en respectant "
                "les majuscules.",
                code="wrong_password",
            )
        return value

    def clean_new_password1(self) -> str:
        value = self.cleaned_data["new_password1"]
        password_validation.validate_password(value, self.user)
        return value

    def clean_new_password2(self) -> str:
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError(
                "Les deux mots de passe ne sont pas identiques. Tapez le même mot de passe dans "
                "les deux champs.",
                code="password_mismatch",
            )
        return second


class EmailForm(PortalForm):
    email = forms.EmailField(
        label="Adresse mail",
        help_text="Exemple : prenom.nom@exemple.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": "Saisissez une adresse mail complète, par exemple prenom.nom@exemple.fr.",
        },
    )
    required_messages = {
        "email": "Saisissez votre adresse mail, par exemple prenom.nom@exemple.fr.",
        "current_password": "Saisissez votre mot de passe, celui de votre connexion.",
    }


class EmailWithPasswordForm(EmailForm):
    """The e-mail serves recovery: changing it long after signing in asks the password again."""

    current_password = forms.CharField(
        label="Votre mot de passe",
        help_text="Par sécurité, retapez votre mot de passe pour changer d'adresse mail.",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": ""}
        ),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(
                "Le mot de passe ne correspond pas. Tapez-le exactement, en respectant les "
                "majuscules.",
                code="wrong_password",
            )
        return value


class EmailCodeForm(PortalForm):
    code = SixDigitCodeField(
        label="Code reçu par mail",
        help_text="6 chiffres, valable 30 minutes. Exemple : 123456",
        required_message="Saisissez le code reçu par mail : 6 chiffres, par exemple 123456.",
    )


class LostIdentifierForm(PortalForm):
    user_number = forms.CharField(
        label="Numéro utilisateur",
        help_text=(
            "10 chiffres, en haut de chaque courrier et de chaque mail de votre Caf (ce n'est "
            "pas l'identifiant, qui commence par LOG). Exemple : 1234 5678 90"
        ),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    required_messages = {
        "user_number": (
            "Saisissez votre numéro utilisateur : 10 chiffres, en haut de chaque courrier et de "
            "chaque mail de votre Caf, par exemple 1234 5678 90."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()

    def clean_user_number(self) -> str:
        try:
            return rules.parse_user_number(self.cleaned_data["user_number"])
        except rules.UserNumberError as error:
            raise forms.ValidationError(error.message, code="user_number") from error


class LostPasswordForm(PortalForm):
    email = EmailForm.base_fields["email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse mail de votre compte"
        self.fields["captcha"] = captcha_field()
        self.set_required_message(
            "email",
            "Saisissez l'adresse mail de votre compte, par exemple prenom.nom@exemple.fr.",
        )


class LostPasswordLetterForm(LostIdentifierForm):
    """A new temporary password asked with the user number, for a landlord without e-mail."""
