"""What the sweeps send: the forms a page shows (read from its HTML, as a browser would), bodies
built from raw bytes (so invalid UTF-8 reaches the server), and one request whose database
work is rolled back, so that every request of a sweep meets the same world."""

import html.parser
import urllib.parse
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client

TEXT_TYPES = {"text", "email", "password", "search", "tel", "url", "number", "hidden", "textarea"}


@dataclass
class HtmlField:
    name: str
    kind: str  # an input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class HtmlForm:
    action: str
    method: str
    multipart: bool
    fields: list[HtmlField] = field(default_factory=list)
    # (name, value) of each named submit button: each is a way to send the form.
    submits: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._select: HtmlField | None = None
        self._textarea: HtmlField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                HtmlForm(
                    action=attrs.get("action", ""),
                    method=attrs.get("method", "get").lower(),
                    multipart=attrs.get("enctype", "") == "multipart/form-data",
                )
            )
            return
        if not self.forms or "name" not in attrs:
            return
        form, name = self.forms[-1], attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "submit":
                form.submits.append((name, attrs.get("value", "")))
            elif kind in ("radio", "checkbox"):
                existing = next((f for f in form.fields if f.name == name), None)
                if existing is None:
                    existing = HtmlField(name, kind, attrs=attrs)
                    form.fields.append(existing)
                existing.options.append(attrs.get("value", "on"))
            else:
                form.fields.append(HtmlField(name, kind, attrs.get("value", ""), attrs=attrs))
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            form.submits.append((name, attrs.get("value", "")))
        elif tag == "select":
            self._select = HtmlField(name, "select", attrs=attrs)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = HtmlField(name, "textarea", attrs=attrs)
            form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: str, *, url: str) -> list[HtmlForm]:
    """The forms of an HTML page, their actions made absolute paths."""
    parser = _FormParser()
    parser.feed(page)
    for form in parser.forms:
        form.action = urllib.parse.urljoin(url, form.action) if form.action else url
    return parser.forms


Value = str | bytes | tuple[str | bytes, bytes]  # text, raw bytes, or (file name, content)


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def urlencoded(pairs: list[tuple[str, Value]]) -> bytes:
    """application/x-www-form-urlencoded from text or raw bytes (sent as they are)."""
    return b"&".join(
        urllib.parse.quote_plus(_raw(name)).encode()
        + b"="
        + urllib.parse.quote_plus(_raw(value)).encode()
        for name, value in pairs
        if not isinstance(value, tuple)
    )


def multipart(pairs: list[tuple[str, Value]]) -> tuple[bytes, str]:
    """multipart/form-data from text, raw bytes and files; (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in pairs:
        head = b'Content-Disposition: form-data; name="' + _raw(name) + b'"'
        if isinstance(value, tuple):
            filename, content = value
            head += b'; filename="' + _raw(filename).replace(b'"', b"%22") + b'"'
            head += b"\r\nContent-Type: application/octet-stream"
        else:
            content = _raw(value)
        parts.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n\r\n" + content + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class Outcome:
    status: int
    error: BaseException | None
    content: bytes
    location: str = ""  # where a redirect leads


def send(
    client: Client,
    method: str,
    path: str,
    *,
    query: list[tuple[str, Value]] | None = None,
    data: list[tuple[str, Value]] | None = None,
    files: bool = False,
    rollback: bool = True,
) -> Outcome:
    """One request; whatever it writes to the database is rolled back afterwards (unless
    ``rollback`` is off: a page whose captcha the next request answers)."""
    if not rollback:
        return _send(client, method, path, query=query, data=data, files=files)
    with transaction.atomic():
        outcome = _send(client, method, path, query=query, data=data, files=files)
        transaction.set_rollback(True)
    return outcome


def _send(client, method, path, *, query, data, files) -> Outcome:
    url = path + ("?" + urlencoded(query).decode() if query else "")
    try:
        if method == "get":
            response = client.get(url)
        elif files:
            body, content_type = multipart(data or [])
            response = client.post(url, body, content_type=content_type)
        else:
            response = client.post(
                url, urlencoded(data or []), content_type="application/x-www-form-urlencoded"
            )
    except Exception as error:  # noqa: BLE001 - what a visitor would get as a 500
        return Outcome(500, error, b"")
    try:  # a streamed body fails while it is read, as the visitor downloads it (the test
        # client closes the response once its body is read: never close it here)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception as error:  # noqa: BLE001
        return Outcome(500, error, b"")
    return Outcome(response.status_code, None, content, response.get("Location", ""))
