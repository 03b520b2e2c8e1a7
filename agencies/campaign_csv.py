"""A campaign's list of recipients as a CSV file, and CSV files the portal gives out.

`read_recipients_csv` reads what an agency uploads (pure: no database): the
encoding (UTF-8 with or without BOM, else Windows-1256, Excel's Persian CSV), the
delimiter (decided from the header line), the recipient column (by its name, see
RECIPIENT_COLUMNS), and every row checked: the recipient's checksum or mobile, an
empty or repeated recipient, a row with a wrong number of cells, an empty merge
value. Every problem is collected with its line number, so the sender fixes the
file once. What makes the whole file unusable raises CsvRefused instead.

The `{name}` placeholders a row fills are `mailbox.content.merge_fields` and
`merge_text` (each recipient's values travel with their delivery);
`csv_bytes` writes an export that Excel opens with its Persian intact and that
cannot run a formula.
"""

import codecs
import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payam.batch import cyclic_gc_paused
from payam.errors import UserFacingError
from payam.identifiers import clean_legal_id, clean_national_code, is_valid_national_code
from payam.phone import normalize_mobile
from payam.text import (
    FROM_WINDOWS_1256,
    localized_digits,
    normalize_digits,
    normalize_text,
    to_ascii_digits,
)

if TYPE_CHECKING:
    import _csv

# The recipient column, by kind: the first header (in the file's order) whose
# name, compared without case, spaces, underscores or ZWNJ, is one of these.
RECIPIENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        "national_code",
        "national_id",
        "code",
        "recipient",
        "کد ملی",
        "کدملی",
        "شناسه ملی",
        "شناسه‌ی ملی",
        "کد/شناسه ملی",
    ),
    "mobile": ("mobile", "phone", "موبایل", "تلفن همراه", "شماره همراه", "همراه"),
}

# What a spreadsheet runs as a formula when a cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")  # a cell the portal's export made text
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_SEP_HINT = re.compile(r"^\s*sep=([,;\t|])\s*$", re.IGNORECASE)
# A long number Excel showed in scientific notation and saved so: 1.23457E+09.
_SCIENTIFIC = re.compile(r"^\d(?:[.,/]\d+)?[eE]\+?\d+$")
_HEADER_TRIM = " \t\r\n\u00a0\u200e\u200f\ufeff"
_INVISIBLE_IN_NAME = re.compile("[\\s_\u200c\u200e\u200f\ufeff]+")
# Files that are not text, by their first bytes; the spreadsheets get their own advice.
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"RIFF",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"BM",
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# C0 control characters a text file does not hold (tab, newlines and form feed do).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


class CsvRefused(UserFacingError):
    """The file as a whole cannot be read as a list of recipients; the message
    says why and what to do. Nothing was checked row by row."""


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the line of the file where the row starts (the header's line is 1)
    recipient: str  # 10-digit national code / 11-digit national ID, or +989…
    values: dict[str, str]  # every other column, stripped, digits as written


@dataclass(frozen=True)
class CsvProblem:
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("سطر %(line)s") % {"line": localized_digits(self.line)}
        if self.column:
            where += _("، ستون «%(column)s»") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CsvReport:
    encoding: str  # "utf-8", "utf-8-sig" or "cp1256"
    columns: tuple[str, ...]  # stripped; Arabic ي/ك and digits unified (normalize_text)
    recipient_column: str
    rows: list[CsvRow]  # the rows without a problem, in the file's order
    problems: list[CsvProblem]  # every problem, in the file's order
    header_line: int = 1  # the line of the column names (blank lines may come before it)

    @property
    def ok(self) -> bool:
        return not self.problems


def _column_key(name: str) -> str:
    return _INVISIBLE_IN_NAME.sub("", normalize_text(name).casefold())


_RECIPIENT_KEYS = {
    kind: frozenset(_column_key(name) for name in names)
    for kind, names in RECIPIENT_COLUMNS.items()
}


def _size_text(size: int) -> str:
    return localized_digits(f"{size / (1024 * 1024):.0f}")


def ensure_csv_size(size: int) -> None:
    """CsvRefused when a file of `size` bytes is past CAMPAIGN_CSV_MAX_BYTES: a
    form calls it with the upload's size before reading the file."""
    max_bytes: int = settings.CAMPAIGN_CSV_MAX_BYTES
    if size > max_bytes:
        raise CsvRefused(
            _(
                "پرونده %(size)s مگابایت است و بیشترین اندازه %(max)s مگابایت؛ فهرست را در "
                "چند پرونده بفرستید."
            )
            % {"size": _size_text(size), "max": _size_text(max_bytes)}
        )


def _refuse_non_text(data: bytes) -> None:
    head = data[:8]
    if data.startswith(_SPREADSHEET_MAGIC):
        raise CsvRefused(
            _(
                "این پرونده‌ی اکسل (xlsx/xls) است، نه CSV. در اکسل از «Save As» گونه‌ی "
                "«CSV UTF-8» را برگزینید و پرونده‌ی تازه را بفرستید."
            )
        )
    if data.startswith(_UTF16_BOMS):
        raise CsvRefused(
            _(
                "این پرونده با رمزگذاری UTF-16 (Unicode Text اکسل) ذخیره شده است. آن را با "
                "گونه‌ی «CSV UTF-8» ذخیره کنید و دوباره بفرستید."
            )
        )
    if head.startswith(_BINARY_MAGIC) or b"\x00" in data[:65536]:
        raise CsvRefused(
            _(
                "این پرونده متنی نیست (مثلاً PDF یا تصویری است که نامش CSV شده). "
                "فهرست را در اکسل با گونه‌ی «CSV UTF-8» ذخیره کنید."
            )
        )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass  # a BOM, then something else: not UTF-8 after all
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if not text or _CONTROL.search(text[:65536]):
        raise CsvRefused(
            _(
                "رمزگذاری این پرونده شناخته نشد: پرونده باید UTF-8 (با یا بی BOM) یا "
                "Windows-1256 باشد. در اکسل گونه‌ی «CSV UTF-8» را برگزینید."
            )
        )
    # Excel wrote Arabic ي and ك for the Persian letters the code page lacks.
    return text.translate(FROM_WINDOWS_1256), "cp1256"


def _delimiter(text: str) -> tuple[str, str]:
    """From the first line that is not blank: a comma when it has one, else a
    semicolon (Excel where the comma is the decimal mark), else a tab. Excel's
    own hint line (`sep=;`) names it instead and becomes a blank line, so the
    lines after it keep their numbers. Returns the delimiter and the text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if not line.strip():
            start = len(text) if end < 0 else end + 1
            continue
        hint = _SEP_HINT.match(line)
        if hint:
            return hint.group(1), text[:start] + text[start + len(line.rstrip("\r")) :]
        if "," in line:
            return ",", text
        if ";" in line:
            return ";", text
        if "\t" in line:
            return "\t", text
        return ",", text
    return ",", text


def _unescape(cell: str) -> str:
    """A cell the portal's own export (or Excel's text prefix) marked as text with
    a leading apostrophe comes back without it."""
    return cell[1:] if cell[:1] == "'" and _ESCAPED.match(cell) else cell


def _is_blank(record: list[str]) -> bool:
    return not record or all(not cell.strip() for cell in record)


@contextmanager
def _csv_errors(reader: "_csv._reader") -> Iterator[None]:
    try:
        yield
    except csv.Error as exc:  # a cell past the csv module's field size limit
        raise CsvRefused(
            _("سطر %(line)s این پرونده خوانده نشد؛ آیا خانه‌ای بسیار بلند یا نقل‌قولی ناتمام دارد؟")
            % {"line": localized_digits(reader.line_num)}
        ) from exc


def _header(reader: "_csv._reader") -> tuple[int, list[str]]:
    for record in reader:
        if not _is_blank(record):
            line = reader.line_num
            break
    else:
        raise CsvRefused(_("این پرونده سطری ندارد؛ سطر نخست باید سرستون‌ها باشد."))
    names = [normalize_text(cell.strip(_HEADER_TRIM)) for cell in record]
    while names and not names[-1]:
        names.pop()  # Excel writes empty columns after the last one
    for position, name in enumerate(names, start=1):
        if not name:
            raise CsvRefused(
                _("ستون %(position)s سرستون ندارد؛ برای هر ستون در سطر نخست نامی بنویسید.")
                % {"position": localized_digits(position)}
            )
    seen: set[str] = set()
    for name in names:
        key = name.casefold()
        if key in seen:
            raise CsvRefused(
                _("نام ستون «%(name)s» دو بار آمده است؛ نام هر ستون باید یکتا باشد.")
                % {"name": name}
            )
        seen.add(key)
    return line, names


def _check_person(value: str) -> str:
    """The 10-digit code or 11-digit ID; ValidationError says what is wrong."""
    if _SCIENTIFIC.match(to_ascii_digits(value)):
        raise ValidationError(
            _(
                "اکسل این شماره را به شکل علمی (مانند 1.23E+09) ذخیره کرده و رقم‌هایش از دست "
                "رفته است؛ قالب ستون را «Text» کنید، شماره‌ها را دوباره بنویسید و فایل را "
                "دوباره ذخیره کنید."
            ),
            code="scientific",
        )
    digits = normalize_digits(value)
    if len(digits) == 11 and digits.isdigit():
        return clean_legal_id(digits)
    if digits.isdigit() and len(digits) > 11:
        raise ValidationError(_("نه کد ملی ۱۰ رقمی است و نه شناسه‌ی ملی ۱۱ رقمی."), code="length")
    return clean_national_code(digits)


def read_recipients_csv(
    data: bytes,
    *,
    fields: Collection[str] = (),
    kind: Literal["person", "mobile"] = "person",
) -> CsvReport:
    """Read and check a campaign's CSV. `fields` are the merge fields the letter
    uses (merge_fields of its subject and body): each must be a column (else one
    problem on the header's line) and no row may leave it empty. A field that
    names the recipient column is the recipient itself and always filled."""
    if not data:
        raise CsvRefused(_("پرونده خالی است؛ فهرستی با سطر سرستون‌ها و دست‌کم یک گیرنده بفرستید."))
    ensure_csv_size(len(data))
    _refuse_non_text(data)
    text, encoding = _decode(data)
    if not text.strip():
        raise CsvRefused(_("پرونده خالی است؛ فهرستی با سطر سرستون‌ها و دست‌کم یک گیرنده بفرستید."))

    delimiter, text = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    with _csv_errors(reader):
        header_line, columns = _header(reader)
    keys = _RECIPIENT_KEYS[kind]
    recipient_at = next((i for i, name in enumerate(columns) if _column_key(name) in keys), -1)
    if recipient_at < 0:
        raise CsvRefused(
            _("ستون گیرنده پیدا نشد. یکی از این نام‌ها را برای آن ستون بنویسید: %(names)s")
            % {"names": "، ".join(RECIPIENT_COLUMNS[kind])}
        )
    recipient_column = columns[recipient_at]

    problems: list[CsvProblem] = []
    fields = list(dict.fromkeys(normalize_text(field) for field in fields))
    for field in fields:
        if field not in columns:
            problems.append(
                CsvProblem(
                    header_line,
                    field,
                    "",
                    _("متن از «{%(field)s}» استفاده می‌کند، ولی پرونده ستونی با این نام ندارد.")
                    % {"field": field},
                )
            )
    # The merge fields to check for empty values (the recipient is never empty).
    required = [field for field in fields if field in columns and field != recipient_column]
    others = [name for i, name in enumerate(columns) if i != recipient_at]
    width = len(columns)
    max_rows: int = settings.CAMPAIGN_MAX_ROWS
    rows: list[CsvRow] = []
    first_line_of: dict[str, int] = {}
    count = 0
    previous_end = header_line
    is_person = kind == "person"
    wrong_width = _("این سطر %(cells)s خانه دارد، ولی سرستون‌ها %(width)s ستون‌اند.")
    empty_recipient = _("گیرنده خالی است.")
    empty_value = _("خالی است، ولی متن از آن استفاده می‌کند.")
    repeated = _("تکراری است؛ پیش‌تر در سطر %(line)s آمده است.")

    with _csv_errors(reader), cyclic_gc_paused():
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            # Stripped; an apostrophe the portal's export put before a formula taken off.
            cells = [_unescape(c) if (c := cell.strip())[:1] == "'" else c for cell in record]
            if not any(cells):
                continue  # a blank line, or a spreadsheet's row of empty cells
            count += 1
            if count > max_rows:
                raise CsvRefused(
                    _("پرونده بیش از %(max)s سطر گیرنده دارد؛ فهرست را در چند پرونده بفرستید.")
                    % {"max": localized_digits(f"{max_rows:,}")}
                )
            bad = False
            if len(cells) != width:
                # Empty cells after the last column (a spreadsheet's habit) are no cells.
                while len(cells) > width and not cells[-1]:
                    cells.pop()
                if len(cells) != width:
                    problems.append(
                        CsvProblem(
                            line,
                            "",
                            "",
                            wrong_width
                            % {
                                "cells": localized_digits(len(cells)),
                                "width": localized_digits(width),
                            },
                        )
                    )
                    bad = True
            raw = cells[recipient_at] if recipient_at < len(cells) else ""
            if raw.startswith("'"):
                raw = raw[1:].strip()  # Excel's text prefix before a code: '0012345678
            recipient = ""
            if not raw:
                if not bad:  # a short row has its own problem already
                    problems.append(CsvProblem(line, recipient_column, "", empty_recipient))
                bad = True
            else:
                try:
                    if is_person:
                        recipient = (
                            raw
                            if len(raw) == 10 and is_valid_national_code(raw)
                            else _check_person(raw)
                        )
                    else:
                        recipient = normalize_mobile(raw)
                except ValidationError as exc:
                    problems.append(CsvProblem(line, recipient_column, raw, str(exc.messages[0])))
                    bad = True
                else:
                    first = first_line_of.setdefault(recipient, line)
                    if first != line:
                        problems.append(
                            CsvProblem(
                                line,
                                recipient_column,
                                raw,
                                repeated % {"line": localized_digits(first)},
                            )
                        )
                        bad = True
            if bad and len(cells) != width:
                continue
            del cells[recipient_at]
            values = dict(zip(others, cells, strict=True))
            for field in required:
                if not values[field]:
                    problems.append(CsvProblem(line, field, "", empty_value))
                    bad = True
            if not bad:
                rows.append(CsvRow(line=line, recipient=recipient, values=values))

    if not count:
        raise CsvRefused(_("پرونده فقط سطر سرستون‌ها را دارد؛ دست‌کم یک گیرنده بنویسید."))
    return CsvReport(
        encoding=encoding,
        columns=tuple(columns),
        recipient_column=recipient_column,
        rows=rows,
        problems=problems,
        header_line=header_line,
    )


def _export_cell(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """An export: UTF-8 with a BOM (so Excel reads Persian), CRLF line ends, and a
    leading apostrophe on any cell a spreadsheet would run as a formula (and on one
    that already starts with apostrophes before such a character, so reading it
    back with read_recipients_csv gives the value exactly)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([_export_cell(name) for name in header])
    writer.writerows([_export_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
