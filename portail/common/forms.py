"""Form fields bounded like the columns they fill, and the check that every text field is bounded.

A form that lets through what the database refuses turns a typing mistake into a 500 on
PostgreSQL (a 300-character e-mail into a ``varchar(254)``), and an unbounded field lets a client
post megabytes into a parser or a hash. So:

- a field that fills a column is made from that column (``column_field``): its ``max_length`` is
  the column's, whatever the column becomes;
- every text field of every portal form has a ``max_length``, an e-mail field at most 254
  (``text_field_problems``: a system check that ``manage.py check``, ``runserver`` and
  ``migrate`` run, and a test);
- NUL characters, which PostgreSQL cannot store in text, are refused by every ``CharField`` with
  Django's own validator, whose message the French locale gives.

``tests/common/test_form_sweep.py`` posts over-long and odd values to every form of the portal.
"""

from django import forms
from django.core import checks
from django.db import models
from django.utils.module_loading import autodiscover_modules

from .portal_form import PortalForm

# The longest e-mail address SMTP carries (RFC 5321) and the length of every e-mail column.
EMAIL_MAX_LENGTH = 254
# Text fields whose value is not free text typed by a person: their own parsing bounds them.
_BOUNDED_BY_THEMSELVES = (forms.UUIDField,)


def column_field(model: type[models.Model], name: str, **options) -> forms.Field:
    """The form field of ``model.name``, bounded by its column; ``options`` set labels and the like.

    ``required`` defaults to True: a blank-able column is still asked for on the forms that fill
    it (a colleague's e-mail), unless ``required=False`` is passed.
    """
    options.setdefault("required", True)
    field = model._meta.get_field(name).formfield(**options)
    if field is None:
        raise ValueError(f"{model.__name__}.{name} has no form field")
    return field


def portal_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined by the portal's apps (their ``forms`` modules imported first)."""
    autodiscover_modules("forms")
    found, pending = [], [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("portail.") and subclass is not PortalForm:
                found.append(subclass)  # the base of every portal form is not one itself
    return sorted(set(found), key=lambda cls: (cls.__module__, cls.__qualname__))


def text_field_problems(form_class: type[forms.BaseForm]) -> list[str]:
    """What is wrong with the bounds of the form's declared text fields, one sentence each."""
    problems = []
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField) or isinstance(field, _BOUNDED_BY_THEMSELVES):
            continue
        if field.max_length is None:
            problems.append(f"{name} has no max_length")
        elif isinstance(field, forms.EmailField) and field.max_length > EMAIL_MAX_LENGTH:
            # Django's form default (320) exceeds every e-mail column of the portal (254).
            problems.append(
                f"{name} takes {field.max_length} characters, an address {EMAIL_MAX_LENGTH}"
            )
    return problems


@checks.register(checks.Tags.security)
def check_text_fields_bounded(app_configs=None, **kwargs):
    """portail.E001: a text field longer than its column, or unbounded, reaches the database."""
    return [
        checks.Error(
            f"{form_class.__module__}.{form_class.__qualname__}: {problem}.",
            hint="Make the field from its column with portail.common.forms.column_field, or "
            "give it a max_length.",
            obj=form_class,
            id="portail.E001",
        )
        for form_class in portal_form_classes()
        for problem in text_field_problems(form_class)
    ]
