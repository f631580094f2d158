"""Form fields shared by several apps' forms."""

from django import forms


class SixDigitCodeField(forms.CharField):
    """A 6-digit code typed by a person (e-mail confirmation, authenticator application):
    numeric keypad on phones, one-time-code autofill, no spell check; the caller checks it."""

    def __init__(self, *, label: str, help_text: str, required_message: str, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(
            label=label,
            help_text=help_text,
            error_messages={"required": required_message},
            **kwargs,
        )
