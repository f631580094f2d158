"""Template filters of the staff screens: {{ event.action|action_fr }}."""

from django import template

from portail.backoffice.rules import action_label

register = template.Library()
register.filter("action_fr", action_label)
