"""Password validators for chosen passwords (AUTH_PASSWORD_VALIDATORS), messages in French."""

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from . import rules

# Words tied to the portal itself that make a password guessable.
_PORTAL_WORDS = {"bailleur", "bailleurs", "espace", "allocation", "logement", "motdepasse"}


class CnilLengthValidator:
    """At least 14 characters, or at least 12 with lower and upper case, digits and others."""

    def validate(self, password, user=None):
        if len(password) > rules.PASSWORD_MAX_LENGTH:
            raise ValidationError(
                "Le mot de passe ne peut pas dépasser 128 caractères.", code="password_too_long"
            )
        if not rules.password_strong_enough(password):
            raise ValidationError(
                "Ce mot de passe est trop court. Choisissez au moins 14 caractères, ou au moins "
                "12 caractères mêlant minuscules, majuscules, chiffres et caractères spéciaux. "
                "Une phrase facile à retenir convient, par exemple : Tilleul-Printemps-Lavande.",
                code="password_too_weak",
            )

    def get_help_text(self):
        return (
            "Au moins 14 caractères, ou au moins 12 caractères mêlant minuscules, majuscules, "
            "chiffres et caractères spéciaux."
        )


class ContextWordsValidator:
    """No identifier, user number, name or e-mail of the user inside the password."""

    def validate(self, password, user=None):
        if user is None:
            return
        landlord = getattr(user, "landlord", None)
        words = (
            rules.context_words(
                getattr(user, "identifier", ""),
                getattr(user, "full_name", ""),
                getattr(user, "email", ""),
                getattr(landlord, "name", "") if landlord else "",
            )
            | _PORTAL_WORDS
        )
        identifier = getattr(user, "identifier", "") or ""
        for digits in (identifier[3:9], getattr(user, "user_number", "") or ""):
            if len(digits) >= 4:
                words.add(digits.lower())
        found = rules.password_context_word(password, words)
        if found:
            raise ValidationError(
                "Ce mot de passe contient « %(word)s », trop facile à deviner pour quelqu'un qui "
                "vous connaît. Évitez votre identifiant, votre nom, votre adresse mail et le nom "
                "du portail.",
                code="password_context_word",
                params={"word": found},
            )

    def get_help_text(self):
        return "Ni votre identifiant, ni votre nom, ni votre adresse mail."


class FrenchCommonPasswordValidator(CommonPasswordValidator):
    """Django's list of 20,000 common passwords, refused with a French message."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            raise ValidationError(
                "Ce mot de passe fait partie des mots de passe les plus courants, que les "
                "pirates essaient en premier. Choisissez-en un autre.",
                code="password_too_common",
            ) from error
