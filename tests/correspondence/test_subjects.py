"""E-mail subjects are plain text: never HTML-escaped, in the subject or in the page's title
(issue 11, finding 9: the team's notice read "L&#x27;adresse…")."""

import html
import re
from pathlib import Path

import pytest

from portail.correspondence import rendering, services
from portail.correspondence.models import Message
from tests.factories import PASSWORD, LegalLandlordFactory, UserFactory

PORTAIL = Path(__file__).resolve().parents[2] / "portail"
AWKWARD = 'L\'adresse "Nord" & <Sud>'


class EveryNameIsAwkward(dict):
    """A template context in which any variable is a text HTML would escape."""

    def __contains__(self, key):
        return key not in ("True", "False", "None")

    def __getitem__(self, key):
        return AWKWARD


def subject_files() -> dict[str, Path]:
    """Every <template>_subject.txt of the portal, by the name queue_message is given."""
    files = {}
    for path in sorted(PORTAIL.glob("*/templates/**/*_subject.txt")):
        templates = PORTAIL / path.relative_to(PORTAIL).parts[0] / "templates"
        files[str(path.relative_to(templates)).removesuffix("_subject.txt")] = path
    return files


def test_every_subject_template_is_found():
    assert len(subject_files()) >= 7
    assert "correspondence/messages/notice" in subject_files()


@pytest.mark.parametrize("template", sorted(subject_files()))
def test_no_subject_is_html_escaped(template):
    subject = rendering.subject_of(template=template, context=EveryNameIsAwkward())
    assert not re.search(r"&(#x?[0-9a-f]+|amp|lt|gt|quot);", subject, re.IGNORECASE), subject
    if "{{" in subject_files()[template].read_text():
        assert AWKWARD in subject


@pytest.mark.django_db
def test_the_contact_email_notice_reads_its_apostrophe_once(client, smtp_server):
    landlord = LegalLandlordFactory(email="ancienne@sci.example")
    admin = UserFactory(landlord=landlord, is_landlord_admin=True)
    client.force_login(admin)
    client.post(
        "/equipe/adresse-mail/", {"new_email": "nouvelle@sci.example", "password": PASSWORD}
    )
    message = Message.objects.get(kind="team.contact_email_changed")
    title = "L'adresse mail de contact de votre compte a été modifiée"
    assert message.subject == title
    assert services.deliver_message(message_id=message.pk) == "sent"
    [received] = smtp_server.messages
    assert received["Subject"].strip() == title  # a long subject is folded after "Subject:"
    text = received.get_body(preferencelist=("plain",)).get_content()
    page = received.get_body(preferencelist=("html",)).get_content()
    assert title in text and "&#" not in text
    [heading] = re.findall(r"<h1>(.*?)</h1>", page)
    assert html.unescape(heading) == title
    assert html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)) == title
    history = html.unescape(client.get(f"/courriers/{message.pk}/").content.decode())
    assert title in history and "&#x27;" not in history
