"""Every form of the portal: an empty required field says which field and what to type."""

import importlib
import pkgutil

import pytest
from django import forms

import portail
from portail.common.portal_form import PortalForm, hint_example, required_message

DJANGO_DEFAULT = str(forms.Field.default_error_messages["required"])
# What each form needs to be built, besides its data.
ARGUMENTS = {
    "SignInForm": lambda user: ((None,), {}),
    "NewPasswordForm": lambda user: ((user,), {}),
    "EmailWithPasswordForm": lambda user: ((user,), {}),
    "DeclarationForm": lambda user: ((), {"year": 2026}),
    "ReceiptForm": lambda user: ((), {"year": 2026}),
    "AccessForm": lambda user: ((), {"portfolios": []}),
    "MemberForm": lambda user: ((), {"portfolios": []}),
}


def _portal_forms() -> list[type[forms.Form]]:
    """Every form class defined in a module of the portal (all modules imported first)."""
    for module in pkgutil.walk_packages(portail.__path__, "portail."):
        if ".migrations" not in module.name and not module.name.endswith((".tests", "tests")):
            importlib.import_module(module.name)
    found, queue = [], [forms.Form]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("portail.") and cls is not PortalForm:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FORMS = _portal_forms()


def test_the_portal_has_forms_to_check():
    names = {cls.__name__ for cls in FORMS}
    assert {"SignInForm", "MemberForm", "DeclarationForm", "LostIdentifierForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_is_a_portal_form(form_class):
    assert issubclass(form_class, PortalForm), f"{form_class.__name__} must extend PortalForm"


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_empty_required_field_names_itself(form_class):
    from tests.factories import UserFactory

    user = UserFactory()
    args, kwargs = ARGUMENTS.get(form_class.__name__, lambda user: ((), {}))(user)
    form = form_class(*args, data={}, files={}, **kwargs)
    form.is_valid()
    required = [
        name for name, field in form.fields.items() if field.required and not field.widget.is_hidden
    ]
    for name in required:
        field = form.fields[name]
        errors = [str(error) for error in form.errors.get(name, [])]
        assert errors, f"{form_class.__name__}.{name}: no message when empty"
        for error in errors:
            assert error != DJANGO_DEFAULT
            assert "obligatoire" not in error.lower()
            assert str(field.label).lower() in error.lower(), (form_class.__name__, name, error)
            assert error.endswith("."), error
    # Two empty fields never give the same sentence twice in the summary.
    messages = [str(e) for name in required for e in form.errors.get(name, [])]
    assert len(messages) == len(set(messages))


def test_the_built_message_names_the_field_and_gives_the_example():
    field = forms.CharField(label="Code postal", help_text="5 chiffres. Exemple : 13001")
    assert required_message(field) == "Remplissez « Code postal », par exemple 13001."
    assert hint_example("Nom ou numéro allocataire") == ""
    assert required_message(forms.FileField(label="Quittance")) == (
        "Choisissez le fichier « Quittance »."
    )
