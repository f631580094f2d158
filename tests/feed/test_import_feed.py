"""The agency's feed: idempotent, all or nothing, every bad line reported with its number."""

import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from portail.accounts.models import Landlord
from portail.portfolios.models import Portfolio, Tenancy
from portail.rents.models import JulyRent

from ..conftest import DEMO_FEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(tmp_path):
    """A copy of the demo feed that a test may edit."""
    directory = tmp_path / "feed"
    shutil.copytree(DEMO_FEED, directory)
    return directory


def run(directory) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_feed", str(directory), stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(Landlord.objects.order_by("ref").values()),
        list(Portfolio.objects.order_by("ref").values()),
        list(Tenancy.objects.order_by("recipient_number").values()),
        list(JulyRent.objects.order_by("tenancy_id", "year").values()),
    )


def test_first_import_creates_everything_and_prints_a_summary(feed):
    output = run(feed)
    assert "landlords.csv: 3 created, 0 updated, 0 unchanged" in output
    assert "portfolios.csv: 4 created, 0 updated, 0 unchanged" in output
    assert "tenancies.csv: 303 created" in output
    legal = Landlord.objects.get(ref="DEMO-M1")
    assert legal.kind == Landlord.Kind.LEGAL and len(legal.siret) == 14
    assert Landlord.objects.get(ref="DEMO-P2").email == ""
    assert Tenancy.objects.filter(portfolio__landlord=legal).count() == 300
    assert JulyRent.objects.filter(source=JulyRent.Source.FEED).count() > 600


def test_importing_the_same_files_twice_changes_nothing(feed):
    run(feed)
    before = snapshot()
    output = run(feed)
    assert "landlords.csv: 0 created, 0 updated, 3 unchanged" in output
    assert "rents.csv: 0 created, 0 updated," in output
    assert snapshot() == before


def test_changed_lines_are_updated_and_counted(feed):
    run(feed)
    (feed / "portfolios.csv").write_text(
        "portfolio_ref,landlord_ref,name\nDEMO-P1-A,DEMO-P1,Appartements de Marie\n",
        encoding="utf-8",
    )
    tenancy = Tenancy.objects.filter(portfolio__ref="DEMO-P1-A").order_by("pk").first()
    (feed / "rents.csv").write_text(
        f"recipient_number,year,month,amount\n{tenancy.recipient_number},2025,7,701.15\n",
        encoding="utf-8",
    )
    (feed / "landlords.csv").unlink()
    (feed / "tenancies.csv").unlink()
    output = run(feed)
    assert "portfolios.csv: 0 created, 1 updated, 0 unchanged" in output
    assert "rents.csv: " in output and ("1 created" in output or "1 updated" in output)
    assert Portfolio.objects.get(ref="DEMO-P1-A").name == "Appartements de Marie"
    assert JulyRent.objects.get(tenancy=tenancy, year=2025).amount == Decimal("701.15")
    # Rows absent from a partial feed are kept.
    assert Portfolio.objects.count() == 4


def test_a_bad_line_anywhere_changes_nothing_and_every_bad_line_is_reported(feed, capsys):
    run(feed)
    before = snapshot()
    with (feed / "landlords.csv").open("a", encoding="utf-8") as handle:
        handle.write("NEW-1,moral,SCI Sans Siret,,,1 rue A,,13001,Marseille\n")
        handle.write("NEW-2,physique,Paul,,pas-un-mail,1 rue A,,1300,Marseille\n")
    with (feed / "tenancies.csv").open("a", encoding="utf-8") as handle:
        handle.write("9999999,NOPE,Léa,1 rue B,2024-13-01,,1\n")
    with (feed / "rents.csv").open("a", encoding="utf-8") as handle:
        handle.write("1000000,2025,7,650,50\n")
        handle.write("1000000,2025,8,650.50\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        run(feed)
    errors = capsys.readouterr().err
    assert "landlords.csv line 5: siret is empty: a legal landlord (moral) needs one" in errors
    assert "landlords.csv line 6: email 'pas-un-mail' is not an e-mail address" in errors
    assert "tenancies.csv line 305: start_date '2024-13-01' is not a date" in errors
    assert "rents.csv line 726: wrong number of fields" in errors
    assert "rents.csv line 727: month '8' is not 7" in errors
    assert snapshot() == before


def test_references_must_exist_in_the_feed_or_the_portal(tmp_path):
    (tmp_path / "tenancies.csv").write_text(
        "recipient_number,portfolio_ref,tenant_name,dwelling_address,start_date,end_date,"
        "direct_payment\n1234567,UNKNOWN,Léa Petit,1 rue B,2024-01-01,,oui\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        run(tmp_path)
    assert not Tenancy.objects.exists()


def test_duplicate_keys_and_missing_columns_are_reported(tmp_path, capsys):
    (tmp_path / "portfolios.csv").write_text("portfolio_ref,name\nA,Parc\n", encoding="utf-8")
    (tmp_path / "landlords.csv").write_text(
        "landlord_ref,kind,name,siret,email,address_line1,address_line2,postcode,city\n"
        "X1,physique,Paul,,,1 rue A,,13001,Marseille\n"
        "X1,physique,Paul bis,,,1 rue A,,13001,Marseille\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        run(tmp_path)
    errors = capsys.readouterr().err
    assert "landlords.csv line 3: X1 already given on line 2" in errors
    assert "portfolios.csv line 1: missing columns: landlord_ref" in errors
    assert not Landlord.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path, capsys):
    (tmp_path / "landlords.csv").write_bytes(
        "landlord_ref,kind,name,siret,email,address_line1,address_line2,postcode,city\n"
        "X1,physique,Hélène,,,1 rue A,,13001,Marseille\n".encode("latin-1")
    )
    with pytest.raises(CommandError):
        run(tmp_path)
    assert "not UTF-8 text" in capsys.readouterr().err


def test_a_directory_without_feed_files_is_refused(tmp_path):
    with pytest.raises(CommandError, match="holds none of the feed files"):
        run(tmp_path)


def test_demo_data_can_only_be_loaded_when_debug_is_on(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only be loaded when DEBUG is on"):
        call_command("load_demo")
    assert not Landlord.objects.exists()


def test_demo_is_loaded_once_and_prints_sign_in_details(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    output = capsys.readouterr().out
    assert output.count("LOG100001K") == 2
    assert "Bailleur-demo-2026" in output
    assert Landlord.objects.count() == 3


def test_demo_landlord_with_an_email_can_follow_lost_password(settings):
    from portail.accounts.services import reset_password_by_email
    from portail.correspondence.models import Message

    settings.DEBUG = True
    call_command("load_demo")
    reset_password_by_email(email="marie.martin@example.fr", ip=None)
    message = Message.objects.get(kind__contains="lost_password")
    assert message.email == "marie.martin@example.fr" and message.carries_temporary_password


def test_a_feed_rent_replacing_a_declared_one_keeps_the_declaration_in_the_history(feed):
    import uuid

    from portail.rents.models import RentDeclaration, RentSubmission
    from tests.factories import UserFactory

    run(feed)
    tenancy = Tenancy.objects.filter(portfolio__ref="DEMO-P1-A").order_by("pk").first()
    user = UserFactory(landlord=tenancy.portfolio.landlord)
    submission = RentSubmission.objects.create(
        portfolio=tenancy.portfolio,
        year=2026,
        channel="online",
        token=uuid.uuid4(),
        submitted_by=user,
    )
    JulyRent.objects.create(
        tenancy=tenancy,
        year=2026,
        amount=Decimal("655.00"),
        source="online",
        recorded_by=user,
        submission=submission,
        version=1,
    )
    (feed / "rents.csv").write_text(
        f"recipient_number,year,month,amount\n{tenancy.recipient_number},2026,7,640.00\n",
        encoding="utf-8",
    )
    for name in ("landlords.csv", "portfolios.csv", "tenancies.csv"):
        (feed / name).unlink()
    run(feed)
    rent = JulyRent.objects.get(tenancy=tenancy, year=2026)
    assert (rent.amount, rent.source, rent.submission, rent.version) == (
        Decimal("640.00"),
        "feed",
        None,
        None,
    )
    [kept] = RentDeclaration.objects.filter(tenancy=tenancy, year=2026)
    assert (kept.version, kept.amount, kept.submission, kept.declared_by) == (
        1,
        Decimal("655.00"),
        submission,
        user,
    )
