"""Letters: an A4 PDF for a window envelope, read back with pdftotext; the day's print batch."""

import re
import stat
import subprocess

import pytest
from django.core.management import call_command

from portail.accounts.models import TemporaryPassword
from portail.accounts.verification import verify_sign_in_password
from portail.common.formats import french_date
from portail.correspondence import services
from portail.correspondence.letters import masked_letter_pdf
from portail.correspondence.models import Message
from portail.correspondence.rules import MASKED_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre


def _text(path_or_bytes, *, crop_mm=None, tmp_path=None) -> str:
    if isinstance(path_or_bytes, bytes):
        path = tmp_path / "letter.pdf"
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    args = ["pdftotext", "-layout"]
    if crop_mm:
        x, y, w, h = (round(v * MM) for v in crop_mm)
        args += ["-f", "1", "-l", "1", "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    return subprocess.run(
        [*args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _credentials_letter(user):
    return services.queue_message(
        user=user,
        kind="credentials",
        channel=Message.Channel.LETTER,
        template="credentials",
        context={},
        carries_temporary_password=True,
    )


@pytest.fixture
def landlord_user():
    return UserFactory(
        user_number="0000000196",
        landlord__name="Marie MARTIN",
        landlord__address_line1="12 rue des Lilas",
        landlord__postcode="84000",
        landlord__city="Avignon",
    )


def test_credentials_letter_holds_address_in_the_window_and_the_password(
    landlord_user, settings, tmp_path
):
    message = _credentials_letter(landlord_user)
    assert services.deliver_message(message_id=message.pk) == "sent"
    pdf = settings.LETTER_SPOOL_DIR / message.spool_name
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    text = _text(pdf)
    for expected in ("Marie MARTIN", "12 rue des Lilas", "84000 Avignon", "0000 0001 96"):
        assert expected in text
    assert landlord_user.identifier in text
    password = re.search(r"((?:[A-Z2-9]{4} ){3}[A-Z2-9]{4})", text).group(1)
    assert verify_sign_in_password(user=landlord_user, password=password).temporary is not None
    issued = TemporaryPassword.objects.get(user=landlord_user)
    assert issued.channel == "letter"
    # The letter gives the date in the agency's time zone (it differs from UTC's late at night).
    assert french_date(issued.expires_at) in text
    # The DL window: 100-190 mm from the left, 45-90 mm from the top of the sheet.
    window = _text(pdf, crop_mm=(100, 45, 90, 45))
    assert "Marie MARTIN" in window and "84000 Avignon" in window
    assert landlord_user.identifier not in window
    message.refresh_from_db()
    assert password not in message.body_html and MASKED_PASSWORD in message.body_html
    masked = _text(masked_letter_pdf(message=message), tmp_path=tmp_path)
    assert password not in masked and landlord_user.identifier in masked


def test_letters_batch_gathers_the_letters_marks_them_posted_and_deletes_them(
    landlord_user, settings
):
    first = _credentials_letter(landlord_user)
    second = services.queue_message(
        user=UserFactory(landlord__name="Jean DUBOIS"),
        kind="notice",
        channel=Message.Channel.LETTER,
        template="notice",
        context={"title": "Votre déclaration", "paragraphs": ["Nous avons bien reçu."]},
    )
    services.deliver_due_messages()
    call_command("letters_batch")
    spool = settings.LETTER_SPOOL_DIR
    assert not list(spool.glob("courrier-*.pdf"))
    [batch] = (spool / "lots").glob("lot-*.pdf")
    assert stat.S_IMODE(batch.stat().st_mode) == 0o600
    text = _text(batch)
    assert "Marie MARTIN" in text and "Jean DUBOIS" in text
    for message in (first, second):
        message.refresh_from_db()
        assert message.status == Message.Status.POSTED and message.posted_at
    call_command("letters_batch")
    assert len(list((spool / "lots").glob("lot-*.pdf"))) == 1
