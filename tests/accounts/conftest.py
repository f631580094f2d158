"""Helpers for the credential tests: captcha answers read from the store, outbox rows."""

import re

import pytest


def captcha_answer(html: str) -> dict:
    """The captcha fields of a rendered form, answered as a person reading the image would."""
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).challenge}


@pytest.fixture
def outbox():
    """The correspondence outbox rows, oldest first."""
    from portail.correspondence.models import Message

    def rows(**filters):
        return list(Message.objects.filter(**filters).order_by("pk"))

    return rows


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tasks_at_once(settings):
    """Background tasks run as they are queued (the recovery forms queue their work)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
