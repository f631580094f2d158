"""Reading a file of rents (CSV with ; or , or XLSX): its limits, its lines as text, no database.

Like feed/parsing.py: what a line means (a tenancy of the portfolio, an amount) is checked by
rents/bulk.py with the screen's rules.

Limits (docs/security.md, "Files of rents"), checked by ``check_file_limits`` on the upload,
before anything is parsed or stored, each refusal saying the limit and what to do:
- at most ``MAX_FILE_BYTES`` (10 MB) and ``MAX_LINES`` (100,000) lines of rents, plus the
  header line the screen allows (``is_header``);
- an XLSX (a zip) at most ``MAX_XLSX_UNCOMPRESSED_BYTES`` (50 MB) once inflated and at most
  ``MAX_XLSX_RATIO`` (100) times its compressed size, read from the zip's directory, never by
  inflating it; anything else than a CSV text or an XLSX (a gzip, a PDF...) is refused.
Reading streams (openpyxl's read-only mode, the CSV's lines one by one) and stops past
``MAX_LINES``, so a file that got past the checks still costs bounded memory and time.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import filetype

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LINES = 100_000
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100
SPLIT_ADVICE = "Découpez-le en plusieurs fichiers de 100 000 lignes au plus et déposez-les un à un."
# The encodings a file of rents is read in, in this order: what spreadsheets write in France.
ENCODINGS = [("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252 (Excel)")]


class FileRefused(ValueError):
    """A file of rents refused before reading; ``message`` is French and says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RentFile:
    """The lines of a file: (line number, recipient number, amount text), and French notes on
    how it was read (the encoding when not UTF-8, columns beyond the second ignored)."""

    lines: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_xlsx(head: bytes) -> bool:
    kind = filetype.guess(head)
    return kind is not None and kind.extension in ("xlsx", "zip")


def check_file_limits(handle) -> None:
    """Refuse at once a file of rents over the limits, or not a CSV or XLSX (FileRefused)."""
    size = handle.size if hasattr(handle, "size") else len(handle.getvalue())
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            f"Ce fichier pèse {size / 1024 / 1024:.0f} Mo : la limite est de 10 Mo. {SPLIT_ADVICE}"
        )
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    if _is_xlsx(head):
        _check_xlsx(handle, size)
        return
    kind = filetype.guess(head)
    if kind is not None:
        raise _not_csv_nor_xlsx(f" (un fichier {kind.extension.upper()})")
    lines = -1 if is_header(_first_cell(head)) else 0
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        if b"\x00" in chunk:  # a binary file, anywhere in it: PostgreSQL cannot store NUL either
            handle.seek(0)
            raise _not_csv_nor_xlsx("")
        lines += chunk.count(b"\n") or chunk.count(b"\r")
    handle.seek(0)
    if lines > MAX_LINES:
        count = f"{lines:,}".replace(",", "\u202f")
        raise FileRefused(
            f"Ce fichier compte {count} lignes de loyers : la limite est de 100 000. {SPLIT_ADVICE}"
        )


def is_header(first_cell: str) -> bool:
    """A first line whose first cell is not a recipient number is the header line."""
    return not first_cell.replace(" ", "").isdigit()


def _first_cell(head: bytes) -> str:
    """The first cell of a CSV's first line, from its first bytes (either delimiter, quotes)."""
    line = head.decode("utf-8-sig", errors="replace").splitlines()[:1] or [""]
    return line[0].replace(",", ";").split(";", 1)[0].strip().strip('"').strip()


def _not_csv_nor_xlsx(what: str) -> FileRefused:
    return FileRefused(
        f"Ce fichier n'est ni un CSV ni un classeur XLSX{what}. Enregistrez la liste "
        "depuis votre tableur au format CSV ou XLSX, sans la compresser, puis déposez-la."
    )


def _check_xlsx(handle, size: int) -> None:
    try:
        members = zipfile.ZipFile(handle).infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise FileRefused(
            "Ce classeur XLSX est abîmé et ne peut pas être lu. Enregistrez-le de nouveau depuis "
            "votre tableur, ou au format CSV, puis déposez-le."
        ) from error
    finally:
        handle.seek(0)
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_XLSX_UNCOMPRESSED_BYTES or inflated > MAX_XLSX_RATIO * max(size, 1):
        raise FileRefused(
            f"Ce classeur contient {inflated / 1024 / 1024:.0f} Mo de données une fois ouvert : la "
            f"limite est de 50 Mo (environ 100 000 lignes). {SPLIT_ADVICE}"
        )


def read_rent_lines(data: bytes) -> RentFile:
    """The lines of a CSV or XLSX file of rents (header skipped), at most MAX_LINES + 1."""
    if _is_xlsx(data[:8192]):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = (
            (number, [cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _lines(rows, notes=[])
    text, notes = _decode(data)
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    # Universal newlines: CR-only (old Mac), LF and CRLF files read alike.
    rows = enumerate(csv.reader(io.StringIO(text, newline=None), delimiter=delimiter), 1)
    return _lines(rows, notes=notes)


def _decode(data: bytes) -> tuple[str, list[str]]:
    """The text of a CSV, read in UTF-8 (with or without its mark) or else Windows-1252."""
    for encoding, label in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        note = [] if encoding == "utf-8-sig" else [f"Fichier lu dans l'encodage {label}."]
        return text, note
    raise FileRefused(
        "Ce fichier n'est ni en UTF-8 ni en Windows-1252. Enregistrez-le depuis votre tableur "
        "au format « CSV UTF-8 », puis déposez-le de nouveau."
    )


def _lines(rows: Iterator, *, notes: list[str]) -> RentFile:
    result = RentFile(notes=notes)
    extra_columns = []
    for number, values in rows:
        if len(result.lines) > MAX_LINES:
            break  # the limits were checked on upload: never read past them
        cells = [v.strip() for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if number == 1 and is_header(cells[0]):
            continue
        if len(cells) < 2:
            cells.append("")
        if len(cells) > 2 and delimiter_split_amount(cells):
            cells = [cells[0], ",".join(cells[1:])]
        if len(cells) > 2:
            extra_columns.append(number)
        result.lines.append((number, cells[0], cells[1]))
    if extra_columns:
        shown = ", ".join(str(n) for n in extra_columns[:10])
        more = " et d'autres" if len(extra_columns) > 10 else ""
        result.notes.append(
            f"{len(extra_columns)} ligne(s) ont plus de 2 colonnes (lignes {shown}{more}) : seules "
            "les deux premières (numéro allocataire, montant) sont lues, les autres sont ignorées."
        )
    return result


def delimiter_split_amount(cells: list[str]) -> bool:
    """650,50 unquoted in a comma-separated file splits in two cells: 650 and 50."""
    return len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit() and len(cells[2]) <= 2


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)
