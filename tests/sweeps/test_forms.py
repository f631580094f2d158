"""Every form of the portal, posted with over-long and odd values: a French error, never a 500.

The forms are found as a visitor finds them: every page of every role is opened (its URL
patterns filled with real ids) and the forms of its HTML are read, then each form's follow-up
page (the summary after "Vérifier") too. Every form class of the portal must be met that way, so
a new form is swept without a line here. For each text field, other fields keep plausible
values, and the field gets: NUL, a lone surrogate and an overlong UTF-8 sequence (raw bytes),
right-to-left marks, emoji, spaces only, 100 KB, a value of its max_length (a valid e-mail for an
e-mail field: the form must pass it to a column that holds it) and one character more.
On PostgreSQL an unbounded field or a NUL reaching the database is a 500; on SQLite it is not,
which is why the refusals are asserted on the form itself, on both engines.
"""

import re
import urllib.parse

import pytest
from django import forms
from django.urls import resolve, reverse

from portail.common.forms import portal_form_classes, text_field_problems

from .patterns import path_for, url_patterns
from .traffic import TEXT_TYPES, HtmlForm, forms_of, send
from .values import (
    EXPECTS_ERROR,
    ODD_LABELS,
    file_for,
    hostile_files,
    hostile_values,
    looks_french,
    plausible,
)

pytestmark = pytest.mark.django_db

# Django's admin builds its forms from the models (bounded by their columns); the crawl
# (test_crawl.py) requests its pages. Forms whose sweep needs the admin are not the portal's.
SKIPPED_PREFIXES = ("/gestion/",)
NOT_HTML = (".pdf", ".csv", ".xlsx", ".wav", "/fichier")
# Buttons that only bring the form back for editing: the view drops its errors on purpose.
EDIT_ONLY_SUBMITS = {("action", "modifier")}


def test_every_form_class_bounds_its_text_fields():
    """The system check portail.E001: every text field has a max_length, e-mails 254 at most."""
    problems = {
        f"{cls.__module__}.{cls.__qualname__}": text_field_problems(cls)
        for cls in portal_form_classes()
    }
    assert {name: found for name, found in problems.items() if found} == {}


class _Recorder:
    """The forms a request builds, whatever builds them (a view, a Jinja2 body)."""

    def __init__(self):
        self.instances: list[forms.BaseForm] = []

    def install(self, monkeypatch):
        original = forms.BaseForm.__init__
        recorder = self

        def recording_init(form, *args, **kwargs):
            original(form, *args, **kwargs)
            recorder.instances.append(form)

        monkeypatch.setattr(forms.BaseForm, "__init__", recording_init)


def _pages(world):
    """(role, paths) of each pattern: every path a role may open, with real ids (the first
    path tells whether the role reaches the view at all); the admin left out, the back office
    for staff and visitors, the landlords' pages for landlords and visitors (the crawl,
    test_crawl.py, requests every page as every role)."""
    for pattern in url_patterns():
        if pattern.route.startswith(SKIPPED_PREFIXES):
            continue
        id_sets = [{}] if not pattern.kwargs else world.ids
        paths = {path_for(pattern, ids) for ids in id_sets if pattern.kwarg_names <= set(ids)}
        paths = sorted(p for p in paths if p and not p.endswith(NOT_HTML))
        for role in world.roles.values():
            staff_page = pattern.route.startswith("/agence/")
            if paths and (role.kind == "visitor" or staff_page == (role.kind == "staff")):
                yield role, paths


def _baseline(form: HtmlForm, role, captcha_answers) -> list:
    pairs = []
    for field in form.fields:
        if field.kind == "file":
            pairs.append((field.name, file_for(field.attrs)))
        elif field.kind in ("radio", "select"):
            chosen = [o for o in field.options if o] or field.options
            pairs.append((field.name, chosen[0] if chosen else ""))
        elif field.kind == "checkbox":
            pairs.append((field.name, field.options[0]))
        elif field.name.endswith("captcha_1"):
            key = next(f.value for f in form.fields if f.name.endswith("captcha_0"))
            pairs.append((field.name, captcha_answers(key)))
        elif field.value or field.kind == "hidden":
            pairs.append((field.name, field.value))
        else:
            pairs.append(
                (
                    field.name,
                    plausible(field.name, field.kind, field.attrs, role=role, path=form.action),
                )
            )
    return pairs


def _captcha_answer(key: str) -> str:
    from captcha.models import CaptchaStore

    store = CaptchaStore.objects.filter(hashkey=key).first()
    return store.response if store else "inconnu"


def _discover(world, recorder, covered, lengths, failures):
    """Every distinct (role, form, submit button) of the portal, follow-up pages included;
    ``covered`` gets the classes of the forms bound by the first posts, ``lengths`` the
    max_length of each text field met, by (action, field name)."""
    found, seen = [], set()

    def add(role, page_html, url):
        for form in forms_of(page_html, url=url):
            names = tuple(sorted(f.name for f in form.fields if f.name != "csrfmiddlewaretoken"))
            if not names or form.action.startswith(SKIPPED_PREFIXES):
                continue
            view = resolve(urllib.parse.urlsplit(form.action).path).view_name
            shape = tuple(re.sub(r"\d+", "N", name) for name in names)
            for submit in form.submits or [None]:
                key = (view, shape, submit)
                if key not in seen:
                    seen.add(key)
                    found.append((role, form, submit))

    for role, paths in _pages(world):
        for index, path in enumerate(paths):
            outcome = send(role.client(), "get", path, rollback=False)
            if outcome.status >= 500:
                failures.append(f"{role.name} GET {path}: {outcome.status} {outcome.error!r}"[:400])
            if outcome.status == 200 and b"<form" in outcome.content:
                add(role, outcome.content.decode(), path)
            elif index == 0 and outcome.status in (302, 403, 405):
                break  # signed out, forbidden or POST only: its other ids answer the same
    for role, form, submit in list(found):  # the pages a form leads to (the summary)
        data = _baseline(form, role, _captcha_answer) + ([submit] if submit else [])
        recorder.instances.clear()
        outcome = _submit(role, form, data)
        if outcome.status >= 500:
            where = f"{role.name} {form.method.upper()} {form.action} (plausible values)"
            failures.append(f"{where}: {outcome.status} {outcome.error!r}"[:400])
        for bound in (f for f in recorder.instances if f.is_bound):
            covered.add(type(bound))
            for name, field in bound.fields.items():
                if isinstance(field, forms.CharField) and field.max_length:
                    lengths[(form.action, bound.add_prefix(name))] = field.max_length
        if outcome.status == 200 and b"<form" in outcome.content:
            add(role, outcome.content.decode(), form.action)
    return found


def _submit(role, form: HtmlForm, data):
    if form.method == "get":
        return send(role.client(), "get", form.action, query=data)
    return send(role.client(), "post", form.action, data=data, files=form.multipart)


def _requests(form: HtmlForm, baseline: list, lengths: dict):
    """(label, data, fields expected to refuse) of each request of the sweep of one form.

    Each odd value goes into every text field at once (a form cleans each field on its own, so
    each must refuse it); a value of exactly max_length goes into one field at a time, the others
    plausible, so that a valid form reaches the service and its database column."""
    skipped = ("csrfmiddlewaretoken", "captcha_0")
    fields = [(i, f) for i, f in enumerate(form.fields) if f.name not in skipped]
    text = [(i, f) for i, f in fields if f.kind in TEXT_TYPES]
    choices = [(i, f) for i, f in fields if f.kind in ("select", "radio", "checkbox")]
    per_field = {
        i: hostile_values(f.kind, baseline[i][1], lengths.get((form.action, f.name)))
        for i, f in text
    }
    for label in ODD_LABELS:
        data = list(baseline)
        for i, _field in text:
            if label in per_field[i]:
                data[i] = (data[i][0], per_field[i][label])
        expected = {f.name for i, f in text if label in EXPECTS_ERROR and label in per_field[i]}
        yield label, data, expected
    for i, field in text:
        if "at max_length" in per_field[i]:
            data = list(baseline)
            data[i] = (field.name, per_field[i]["at max_length"])
            yield f"{field.name} at max_length", data, set()
    if choices:
        data = list(baseline)
        for i, field in choices:
            data[i] = (field.name, "\x00" + "x" * 10_000)
        yield "choices out of the list", data, set()
    for i, field in fields:
        if field.kind == "file":
            for label, value in hostile_files(field.attrs).items():
                data = list(baseline)
                data[i] = (field.name, value)
                yield label, data, set()


def test_every_form_refuses_over_long_and_odd_values_in_french_never_a_500(world, monkeypatch):
    """Finding 4 and its sweep."""
    recorder = _Recorder()
    recorder.install(monkeypatch)
    failures, covered, lengths = [], set(), {}
    forms_found = _discover(world, recorder, covered, lengths, failures)
    refused = set()
    for role, form, submit in forms_found:
        baseline = _baseline(form, role, _captcha_answer)
        extra = [submit] if submit else []
        for label, data, expected in _requests(form, baseline, lengths):
            recorder.instances.clear()
            outcome = _submit(role, form, [*data, *extra])
            where = f"{role.name} {form.method.upper()} {form.action} {submit or ''} {label}"
            if outcome.status >= 500:
                failures.append(f"{where}: {outcome.status} {outcome.error!r}"[:400])
                continue
            covered.update(type(f) for f in recorder.instances if f.is_bound)
            if submit in EDIT_ONLY_SUBMITS:
                continue
            for name in expected:
                bound = [
                    f
                    for f in recorder.instances
                    if f.is_bound and isinstance(f.fields.get(name), forms.CharField)
                ]
                errors = [e for f in bound for e in f.errors.get(name, [])]
                if bound and not errors:
                    failures.append(f"{where}: {name} accepted")
                elif not all(looks_french(e) for e in errors):
                    failures.append(f"{where}: {name} not in French: {errors}")
                elif bound:
                    refused.add((type(bound[0]).__qualname__, name))
    missing = set(portal_form_classes()) - covered
    assert not missing, (
        f"forms never reached by the sweep: {sorted(c.__qualname__ for c in missing)}"
    )
    assert failures == [], "\n".join(failures)
    assert len(refused) >= 30  # text fields seen refusing NUL, 100 KB and max_length + 1


def test_the_sweep_meets_the_colleague_form_of_finding_4(world):
    """The finding as observed: a 300-character e-mail for a new colleague is refused in French."""
    from .values import email_of_length

    role = world.roles["admin"]
    portfolio = role.user.landlord.portfolios.first()
    data = [
        ("full_name", "Paul GESTION"),
        ("email", email_of_length(300)),
        (f"right_{portfolio.pk}", "consult"),
    ]
    outcome = send(role.client(), "post", reverse("team:add"), data=data)
    assert outcome.status == 200
    page = outcome.content.decode()
    assert "Assurez-vous que cette valeur comporte au plus 254 caractères" in page
