"""{{ user.user_number|user_number }}: the user number as printed (1234 5678 90)."""

from django import template

from portail.accounts.rules import display_user_number

register = template.Library()


@register.filter
def user_number(value: str | None) -> str:
    return display_user_number(value) if value else ""
