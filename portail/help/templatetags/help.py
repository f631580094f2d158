"""{{ number|help_title }}: what a help entry is about, for links that name it."""

from django import template

from portail.help.difficulties import difficulty

register = template.Library()


@register.filter
def help_title(number: int) -> str:
    """The title of help entry ``number`` ("Vous ne parvenez pas à saisir votre identifiant")."""
    return difficulty(int(number)).title
