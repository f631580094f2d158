"""The captcha of the recovery forms: characters without look-alikes, read aloud in French."""

import secrets
import subprocess

from captcha.fields import CaptchaField, CaptchaTextInput
from django.conf import settings
from django.urls import reverse

# No O/0, I/1/L, no S/5 or Z/2 pairs: readable in the image and unambiguous when heard.
CAPTCHA_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"


def challenge() -> tuple[str, str]:
    """A random challenge of CAPTCHA_LENGTH characters; the answer is the same text."""
    text = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text


def spoken_text(text: str) -> str:
    """The challenge spelt one character at a time, as espeak-ng should say it."""
    return ", ".join(text.lower())


def speak(text: str) -> bytes:
    """A WAV file of the challenge spelt in French (espeak-ng)."""
    result = subprocess.run(  # noqa: S603 - fixed program, text from our own alphabet
        [settings.CAPTCHA_SPEECH_PATH, "-v", "fr", "-s", "110", "--stdout", spoken_text(text)],
        capture_output=True,
        timeout=10,
        check=True,
    )
    return result.stdout


class PortalCaptchaWidget(CaptchaTextInput):
    template_name = "accounts/captcha_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["audio"] = reverse("accounts:captcha_audio", kwargs={"key": self._key})
        context["length"] = settings.CAPTCHA_LENGTH
        return context


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label="Code de vérification",
        help_text=(
            f"Recopiez les {settings.CAPTCHA_LENGTH} caractères de l'image (lettres et "
            "chiffres, sans espace ; majuscules ou minuscules indifférentes). Vous pouvez "
            "aussi écouter le code ou afficher une autre image."
        ),
        widget=PortalCaptchaWidget(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": (
                "Le code de vérification ne correspond pas à l'image. Recopiez les "
                f"{settings.CAPTCHA_LENGTH} caractères de la nouvelle image ci-dessous."
            ),
            "required": "Recopiez le code de vérification affiché dans l'image.",
        },
    )
