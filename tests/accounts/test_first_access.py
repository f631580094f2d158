"""First access: the feed's new landlords get a user and their identifier + temporary password."""

import datetime
from pathlib import Path

import pytest

from portail.accounts import services
from portail.accounts.models import User
from portail.feed.services import import_feed
from tests.factories import LandlordFactory

pytestmark = pytest.mark.django_db

LANDLORDS = (
    "landlord_ref,kind,name,siret,email,address_line1,address_line2,postcode,city\n"
    "N1,physique,Marie MARTIN,,marie@example.fr,1 rue A,,13001,Marseille\n"
    "N2,physique,Jean DUBOIS,,,2 rue B,,13002,Marseille\n"
)


def test_natural_person_with_email_gets_an_email_valid_14_days(outbox):
    landlord = LandlordFactory(email="marie@example.fr")
    user = services.grant_first_access(landlord=landlord)
    [message] = outbox()
    assert (message.channel, message.carries_temporary_password) == ("email", True)
    assert message.temporary_password_validity is None  # the default: 14 days by e-mail
    assert user.first_credentials_channel == "email" and user.email_confirmed
    assert services.grant_first_access(landlord=landlord) is None  # never twice


def test_feed_schedules_first_access_after_commit(
    tmp_path: Path, outbox, django_capture_on_commit_callbacks
):
    (tmp_path / "landlords.csv").write_text(LANDLORDS, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = import_feed(directory=tmp_path)
    assert report.ok and len(report.created_landlord_ids) == 2
    assert callbacks, "the first access is queued once the feed is committed"
    services.grant_first_access_to_landlords(landlord_ids=report.created_landlord_ids)
    channels = {m.recipient.landlord.ref: m.channel for m in outbox()}
    assert channels == {"N1": "email", "N2": "letter"}
    assert User.objects.filter(landlord__ref="N2").get().credentials_letter_sent_at is not None


def test_delivery_issues_the_password_with_the_validity_of_its_channel(outbox, smtp_server):
    from portail.correspondence.services import deliver_due_messages

    landlord = LandlordFactory(email="marie@example.fr")
    user = services.grant_first_access(landlord=landlord)
    deliver_due_messages()
    [mail] = smtp_server.messages
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert user.identifier in body
    temporary = user.temporary_passwords.get()
    assert temporary.expires_at - temporary.issued_at == datetime.timedelta(days=14)
