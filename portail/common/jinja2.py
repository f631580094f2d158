"""The Jinja2 environment, for the page bodies rendered too often for Django's templates.

Django's template language renders the portal's pages. The body of the tenant list (up to 50
rows, the page landlords open most) is a Jinja2 template under `<app>/jinja2/`: it compiles to
Python and renders several times faster (figures in docs/architecture.md), and the layout
around it stays a Django template. Autoescaping is on (Django's Jinja2 backend
default); the French filters are those of Django's `{% load french %}`, and
`url(name, **kwargs)` is Django's reverse.
"""

from django.urls import reverse
from jinja2 import Environment

from portail.common.templatetags import french


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's backend passes autoescape=True
    env.filters.update(french.register.filters)  # the Django templates' French filters
    env.globals["url"] = url
    return env
