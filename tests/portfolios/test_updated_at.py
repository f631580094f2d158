"""Tenancy.updated_at, which the API's updated_since reads: every ORM write of a tenancy
stamps it (save of a row that exists, update of a queryset), unless the writer stamps it
itself (the feed)."""

import datetime

import pytest
import time_machine

from portail.common import clock
from portail.portfolios.models import Tenancy
from tests.factories import TenancyFactory

pytestmark = pytest.mark.django_db


def _later():
    return time_machine.travel(clock.now() + datetime.timedelta(hours=1), tick=False)


def test_an_update_stamps_the_tenancies_it_writes_and_only_those():
    written, untouched = TenancyFactory(), TenancyFactory()
    before = untouched.updated_at
    with _later():
        Tenancy.objects.filter(pk=written.pk).update(reported_end_date=datetime.date(2026, 12, 31))
        now = clock.now()
    written.refresh_from_db()
    untouched.refresh_from_db()
    assert written.updated_at == now
    assert untouched.updated_at == before


def test_a_save_stamps_even_with_update_fields():
    tenancy = TenancyFactory()
    with _later():
        tenancy.dwelling_address = "2 rue Neuve"
        tenancy.save(update_fields=["dwelling_address"])
        now = clock.now()
    tenancy.refresh_from_db()
    assert tenancy.updated_at == now


def test_a_writer_that_stamps_itself_keeps_its_stamp():
    tenancy = TenancyFactory()
    chosen = clock.now() - datetime.timedelta(days=2)
    with _later():
        Tenancy.objects.filter(pk=tenancy.pk).update(tenant_name="X", updated_at=chosen)
    tenancy.refresh_from_db()
    assert tenancy.updated_at == chosen
