"""Roles, the second factor everywhere, and the 403 of an agent on each supervisor action."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portail.backoffice.access import staff_required
from portail.backoffice.urls import urlpatterns
from tests.factories import UserFactory

from .conftest import make_staff, sign_in_client

pytestmark = pytest.mark.django_db

SUPERVISOR_ONLY = {
    "disable_users",
    "set_campaign_dates",
    "send_reminders",
    "export_rents",
    "print_letters",
}


def supervisor_actions(landlord_user):
    landlord = landlord_user.landlord
    user_kwargs = {"landlord_id": landlord.pk, "user_id": landlord_user.pk}
    return [
        ("get", reverse("backoffice:disable", kwargs=user_kwargs), {}),
        ("post", reverse("backoffice:disable", kwargs=user_kwargs), {"reason": "test"}),
        ("get", reverse("backoffice:campaign_dates"), {}),
        (
            "post",
            reverse("backoffice:campaign_dates"),
            {"opens_on": "01/07/2026", "closes_on": "15/02/2027"},
        ),
        ("post", reverse("backoffice:send_reminders"), {}),
        ("get", reverse("backoffice:export_rents"), {}),
        ("post", reverse("backoffice:print_letters"), {}),
        ("get", reverse("backoffice:letter_batch", kwargs={"name": "lot-1.pdf"}), {}),
    ]


def test_the_403_list_covers_every_supervisor_view():
    """Every URL whose view needs a supervisor permission is in supervisor_actions."""
    names = {
        pattern.name
        for pattern in urlpatterns
        if getattr(pattern.callback, "staff_permission", None) in SUPERVISOR_ONLY
    }
    assert names == {
        "disable",
        "campaign_dates",
        "send_reminders",
        "export_rents",
        "print_letters",
        "letter_batch",
    }


def test_an_agent_gets_403_on_each_supervisor_action(agent_client):
    landlord_user = UserFactory()
    for method, url, data in supervisor_actions(landlord_user):
        response = getattr(agent_client, method)(url, data)
        assert response.status_code == 403, (method, url)
    landlord_user.refresh_from_db()
    assert landlord_user.is_active


def test_a_supervisor_may_do_them(supervisor_client):
    landlord_user = UserFactory()
    for method, url, data in supervisor_actions(landlord_user):
        response = getattr(supervisor_client, method)(url, data)
        assert response.status_code in (200, 302, 404), (method, url)  # 404: no such batch
    landlord_user.refresh_from_db()
    assert not landlord_user.is_active


def test_roles_hold_only_what_they_need():
    agent = set(Group.objects.get(name="agent").permissions.values_list("codename", flat=True))
    supervisor = set(
        Group.objects.get(name="supervisor").permissions.values_list("codename", flat=True)
    )
    assert "set_campaign_dates" not in agent and "set_campaign_dates" in supervisor
    assert agent < supervisor
    assert not any(code.startswith(("change_", "delete_", "add_")) for code in supervisor)


def test_staff_without_the_second_factor_is_sent_to_sign_in(client):
    agent = make_staff("agent")
    sign_in_client(client, agent, verified=False)
    response = client.get(reverse("backoffice:search"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("backoffice:sign_in"))
    admin = client.get("/gestion/", follow=True)
    assert admin.redirect_chain[-1][0].startswith(reverse("backoffice:sign_in"))


def test_a_landlord_user_gets_403(client):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = datetime.datetime.now(datetime.UTC).timestamp()
    session.save()
    assert client.get(reverse("backoffice:search")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client):
    response = client.get(reverse("backoffice:receipts"))
    assert response.url.startswith(reverse("backoffice:sign_in"))


def test_verified_administrator_uses_the_admin_and_never_sees_a_password_hash(client):
    administrator = make_staff("administrator")
    sign_in_client(client, administrator)
    landlord_user = UserFactory()
    assert client.get("/gestion/").status_code == 200
    page = client.get(
        reverse("admin:accounts_user_change", args=[landlord_user.pk])
    ).content.decode()
    assert landlord_user.identifier in page
    assert "argon2" not in page and 'name="password"' not in page
    devices = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert administrator.identifier in devices
    device = administrator.totpdevice_set.get()
    detail = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in detail.content.decode()


def test_views_are_all_guarded():
    unguarded = [
        pattern.name
        for pattern in urlpatterns
        if pattern.name not in ("home", "sign_in", "code", "enrol")
        and not hasattr(pattern.callback, "staff_permission")
    ]
    assert unguarded == []
    assert staff_required  # the one guard


def test_the_admin_shows_a_declared_rent_read_only_and_its_superseded_versions(client):
    import uuid
    from decimal import Decimal

    from portail.rents.models import JulyRent, RentDeclaration, RentSubmission
    from tests.factories import PortfolioFactory, TenancyFactory

    administrator = make_staff("administrator")
    administrator.is_superuser = True  # the rents models are not in the administrator role
    administrator.save()
    sign_in_client(client, administrator)
    user = UserFactory()
    tenancy = TenancyFactory(portfolio=PortfolioFactory(landlord=user.landlord))
    submission = RentSubmission.objects.create(
        portfolio=tenancy.portfolio,
        year=2026,
        channel="online",
        token=uuid.uuid4(),
        submitted_by=user,
    )
    old = RentDeclaration.objects.create(
        submission=submission,
        tenancy=tenancy,
        year=2026,
        version=1,
        amount=Decimal("650.00"),
        declared_by=user,
    )
    rent = JulyRent.objects.create(
        tenancy=tenancy,
        year=2026,
        amount=Decimal("655.00"),
        source="online",
        recorded_by=user,
        submission=submission,
        version=2,
    )
    page = client.get(reverse("admin:rents_julyrent_change", args=[rent.pk])).content.decode()
    assert "655" in page and 'name="amount"' not in page  # shown, kept as sent
    assert client.get(reverse("admin:rents_julyrent_changelist")).status_code == 200
    history = client.get(reverse("admin:rents_rentdeclaration_changelist")).content.decode()
    assert str(tenancy) in history and "650,00" in history
    # Proof stays: not even a superuser deletes a declaration, a version or a sending here.
    for url in (
        reverse("admin:rents_julyrent_delete", args=[rent.pk]),
        reverse("admin:rents_rentdeclaration_delete", args=[old.pk]),
        reverse("admin:rents_rentsubmission_delete", args=[submission.pk]),
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert JulyRent.objects.filter(pk=rent.pk).exists()
    assert RentSubmission.objects.filter(pk=submission.pk).exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "administrator"])
def test_every_role_reads_the_direct_payments_in_the_admin_and_changes_nothing(client, role):
    from tests.payments.helpers import pay
    from tests.rents.helpers import make_world

    held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
    assert {"view_payment", "view_paymentmonth"} <= held  # given by migration 0004
    assert not {"add_payment", "change_payment", "delete_payment"} & held
    payment = pay(make_world().known, "2026-10", "250.00")
    sign_in_client(client, make_staff(role))
    assert 'href="/gestion/"' in client.get(reverse("backoffice:search")).content.decode()
    listing = client.get(reverse("admin:payments_payment_changelist")).content.decode()
    assert payment.reference in listing
    assert client.get(reverse("admin:payments_paymentmonth_changelist")).status_code == 200
    detail = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert detail.status_code == 200 and 'name="amount"' not in detail.content.decode()
    assert client.get(reverse("admin:payments_payment_add")).status_code == 403
    deleted = client.post(
        reverse("admin:payments_payment_delete", args=[payment.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert type(payment).objects.filter(pk=payment.pk).exists()
