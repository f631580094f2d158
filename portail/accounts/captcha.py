"""The captcha of the recovery forms: characters without look-alikes, read aloud in French."""

import secrets
import subprocess

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.urls import reverse

from portail.common import clock

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


def unused_key(value) -> str | None:
    """The challenge key a bound form sent back, while its challenge is still unanswered."""
    key = value[0] if isinstance(value, list | tuple) and value else None
    if key and CaptchaStore.objects.filter(hashkey=key, expiration__gt=clock.now()).exists():
        return key
    return None


class PortalCaptchaWidget(CaptchaTextInput):
    """Image, in-page sound and answer; the same challenge until an answer uses it up.

    Not a fieldset (``use_fieldset``): Django then ties the hint and the error to the answer
    field with ``aria-describedby``, as for any field.
    """

    template_name = "accounts/captcha_widget.html"
    use_fieldset = False

    def fetch_captcha_store(self, name, value, attrs=None, generator=None):
        key = unused_key(value)
        if key is None:
            super().fetch_captcha_store(name, value, attrs, generator)
            return
        self._value, self._key = [key, ""], key
        self.id_ = self.build_attrs(attrs).get("id", None)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["audio"] = reverse("accounts:captcha_audio", kwargs={"key": self._key})
        context["length"] = settings.CAPTCHA_LENGTH
        context["refresh_href"] = "?autre-code=1"
        return context


def captcha_field() -> CaptchaField:
    length = settings.CAPTCHA_LENGTH
    return CaptchaField(
        label="Code de vérification",
        help_text=(
            f"Recopiez les {length} caractères de l'image, lettres et chiffres, sans espace "
            "(majuscules ou minuscules, comme vous voulez). Vous pouvez aussi écouter le code, "
            "ou afficher un autre code."
        ),
        widget=PortalCaptchaWidget(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": (
                f"Le code de vérification ne correspond pas. Recopiez les {length} caractères "
                "du nouveau code ci-dessous (image ou son)."
            ),
            "required": (
                f"Recopiez le code de vérification : les {length} caractères de l'image, ou "
                "ceux que vous entendez en l'écoutant."
            ),
        },
    )
