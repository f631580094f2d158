"""The base of every form of the portal: an empty required field names itself.

Django's own message ("Ce champ est obligatoire.") names no field: a screen-reader user hears it
twice in the error summary and cannot tell which field it is about. ``PortalForm`` replaces it,
for every required field, by ``required_message(field)``: what to do, the field's label, and
the example of its hint. A field's own ``error_messages["required"]`` is kept; a form gives a
better sentence for a field in ``required_messages`` (class attribute), or with
``set_required_message`` when it depends on the instance. Every such sentence names its field
too (tests/common/test_required_messages.py checks every form).
"""

import re

from django import forms

_EXAMPLE = re.compile(r"Exemple\s*:\s*(?P<example>.+?)\.?\s*$", re.IGNORECASE)


def hint_example(help_text: str) -> str:
    """The example a hint ends with ("… Exemple : 650,50" gives "650,50"), or ""."""
    found = _EXAMPLE.search(str(help_text or ""))
    return found.group("example").strip() if found else ""


def required_message(field: forms.Field) -> str:
    """The sentence for an empty required field: the action, the field's label, its example."""
    label = str(field.label or "").strip()
    if field.widget.is_hidden:  # not typed by a person: only a page kept too long misses it
        return "Cette page a été ouverte il y a trop longtemps : rechargez-la, puis recommencez."
    if isinstance(field, forms.FileField):
        text = f"Choisissez le fichier « {label} »"
    elif isinstance(field, forms.BooleanField):
        text = f"Cochez la case « {label} »"
    elif isinstance(field, forms.ChoiceField):
        text = f"Choisissez une réponse pour « {label} »"
    else:
        text = f"Remplissez « {label} »"
    example = hint_example(field.help_text)
    return f"{text}, par exemple {example}." if example else f"{text}."


class PortalForm(forms.Form):
    """A form whose required fields say, when left empty, which field and what to type."""

    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.required:
                own = str(field.error_messages.get("required", ""))
                if own == str(forms.Field.default_error_messages["required"]):
                    own = ""
                message = self.required_messages.get(name) or own or required_message(field)
                self.set_required_message(name, message)

    def set_required_message(self, name: str, message: str) -> None:
        """A sentence for one field decided at run time (e.g. with the campaign's year)."""
        self.fields[name].error_messages = {
            **self.fields[name].error_messages,
            "required": message,
        }
