"""{{ number|help_title }}: what a help entry is about, for links that name it."""

from django import template

from portail.help.difficulties import DIFFICULTIES

register = template.Library()
_TITLES = {int(entry.number): entry.title for entry in DIFFICULTIES}


@register.filter
def help_title(number) -> str:
    """The title of help entry ``number`` ("Vous ne parvenez pas à saisir votre identifiant")."""
    return _TITLES[int(number)]
