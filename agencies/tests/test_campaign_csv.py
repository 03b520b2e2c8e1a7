"""The campaign CSV reader: encodings, delimiters, the recipient column, every
row's problems with its line, the file-level refusals, merging and exports."""

import csv
import io

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.campaign_csv import (
    RECIPIENT_COLUMNS,
    CsvRefused,
    CsvReport,
    csv_bytes,
    read_recipients_csv,
)
from mailbox.content import merge_fields, merge_text
from payam.tests.test_identifiers import legal_ids, national_codes
from payam.text import to_persian_digits

ALI = "0012345679"
MARYAM = "0076229645"
SARA = "0013542419"
COMPANY = "10380284790"


def read(text: str, **kwargs) -> CsvReport:
    return read_recipients_csv(text.encode(), **kwargs)


def problems(report: CsvReport) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in report.problems]


# --- encodings and delimiters ---------------------------------------------------------------


PERSIAN = f"کد ملی,نام,مبلغ\r\n{ALI},علی کریمی,۱۲۰۰\r\n{MARYAM},مریم,۳۰۰\r\n"
# What Excel writes as "CSV" on a Persian Windows: Arabic ي and ك, ASCII digits.
WINDOWS = PERSIAN.replace("ی", "ي").replace("ک", "ك").replace("۱۲۰۰", "1200").replace("۳۰۰", "300")


@pytest.mark.parametrize(
    ("encoded", "encoding", "name", "amount"),
    [
        (PERSIAN.encode("utf-8"), "utf-8", "علی کریمی", "۱۲۰۰"),
        (PERSIAN.encode("utf-8-sig"), "utf-8-sig", "علی کریمی", "۱۲۰۰"),
        # read back with the Persian letters the code page lacks
        (WINDOWS.encode("cp1256"), "cp1256", "علی کریمی", "1200"),
    ],
)
def test_each_encoding_reads_the_same(encoded, encoding, name, amount):
    report = read_recipients_csv(encoded, fields=["نام"])
    assert report.ok and report.encoding == encoding
    assert report.columns == ("کد ملی", "نام", "مبلغ") and report.recipient_column == "کد ملی"
    assert [(r.line, r.recipient) for r in report.rows] == [(2, ALI), (3, MARYAM)]
    assert report.rows[0].values == {"نام": name, "مبلغ": amount}  # digits as written


def test_windows_1256_arabic_letters_in_a_header_are_persian():
    report = read_recipients_csv("كد ملي,نام\n0012345679,علي\n".encode("cp1256"))
    assert report.encoding == "cp1256" and report.recipient_column == "کد ملی"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_comes_from_the_header(delimiter):
    text = delimiter.join(["national_code", "name", "amount"]) + "\n"
    text += delimiter.join([ALI, "Ali, Karimi" if delimiter != "," else "Ali", "1,5"]) + "\n"
    if delimiter == ",":
        text = f'national_code,name,amount\n{ALI},Ali,"1,5"\n'
    report = read(text)
    assert report.ok and report.columns == ("national_code", "name", "amount")
    assert report.rows[0].values["amount"] == "1,5"


@pytest.mark.parametrize("hint", ["sep=;", "SEP=;\r"])
def test_excels_separator_hint_line_names_the_delimiter(hint):
    report = read(f"{hint}\ncode;name\n{ALI};Ali, Karimi\n0012345678;x\n")
    assert report.columns == ("code", "name") and report.rows[0].values == {"name": "Ali, Karimi"}
    assert [r.line for r in report.rows] == [3] and problems(report) == [(4, "code")]


# --- the recipient column --------------------------------------------------------------------


@pytest.mark.parametrize("name", RECIPIENT_COLUMNS["person"])
def test_every_recipient_column_name_is_found(name):
    report = read(f"name,{name}\nAli,{ALI}\n")
    assert report.recipient_column == name and report.rows[0].recipient == ALI
    assert report.rows[0].values == {"name": "Ali"}


@pytest.mark.parametrize("name", ["National Code", " NATIONAL_CODE ", "کد‌ملی", "Recipient"])
def test_the_recipient_column_ignores_case_and_spaces(name):
    assert read(f"{name}\n{ALI}\n").rows[0].recipient == ALI


def test_the_first_recipient_column_wins():
    report = read(f"name,code,national_code\nAli,{ALI},{MARYAM}\n")
    assert report.recipient_column == "code" and report.rows[0].recipient == ALI
    assert report.rows[0].values == {"name": "Ali", "national_code": MARYAM}


@pytest.mark.parametrize("name", RECIPIENT_COLUMNS["mobile"])
def test_a_mobile_list(name):
    report = read(f"{name},name\n09121234567,a\n۰۹۱۲۷۶۵۴۳۲۱,b\n9351112233,c\n", kind="mobile")
    assert report.ok and report.recipient_column == name
    assert [r.recipient for r in report.rows] == ["+989121234567", "+989127654321", "+989351112233"]


def test_a_mobile_list_names_bad_and_repeated_numbers():
    report = read("mobile\n09121234567\n0912123\n+989121234567\n", kind="mobile")
    assert problems(report) == [(3, "mobile"), (4, "mobile")]
    assert "۲" in report.problems[1].message
    assert "national_code" not in RECIPIENT_COLUMNS["mobile"]
    with pytest.raises(CsvRefused):
        read(f"national_code\n{ALI}\n", kind="mobile")


# --- the rows --------------------------------------------------------------------------------


def test_companies_and_padded_codes():
    report = read(f"code\n{COMPANY}\n12345679\n{to_persian_digits('076229645')}\n 001-354241-9 \n")
    assert report.ok
    assert [r.recipient for r in report.rows] == [COMPANY, ALI, MARYAM, SARA]


def test_every_problem_is_listed_with_its_line():
    text = (
        "code,name,amount\n"  # 1
        f"{ALI},Ali,10\n"  # 2 fine
        "0012345678,Bad,10\n"  # 3 checksum
        "1234567,Short,10\n"  # 4 seven digits
        ",Nobody,10\n"  # 5 empty recipient
        f"12345679,Ali again,10\n"  # 6 duplicate of line 2 (padded)
        f"{MARYAM},Maryam\n"  # 7 too few cells
        f"{SARA},Sara,10,extra\n"  # 8 too many cells
        f"{COMPANY},,10\n"  # 9 an empty merge value
        "10380284791,Co,10\n"  # 10 bad legal ID
        "abc,X,1\n"  # 11 not digits
        "123456789012,X,1\n"  # 12 too long
    )
    report = read(text, fields=["name", "amount"])
    assert not report.ok and [r.line for r in report.rows] == [2]
    assert problems(report) == [
        (3, "code"),
        (4, "code"),
        (5, "code"),
        (6, "code"),
        (7, ""),
        (8, ""),
        (9, "name"),
        (10, "code"),
        (11, "code"),
        (12, "code"),
    ]
    by_line = {p.line: p for p in report.problems}
    assert "معتبر نیست" in by_line[3].message
    assert "۱۰ رقم" in by_line[4].message
    assert "خالی" in by_line[5].message
    assert "سطر ۲" in by_line[6].message and by_line[6].value == "12345679"
    assert "۲ خانه" in by_line[7].message and "۳ ستون" in by_line[7].message
    assert "۴ خانه" in by_line[8].message
    assert "خالی" in by_line[9].message
    assert str(by_line[9]).startswith("سطر ۹، ستون «name»")


def test_a_code_excel_wrote_in_scientific_notation_is_explained():
    report = read('code\n1.23457E+09\n"1,23457E+9"\n')
    assert problems(report) == [(2, "code"), (3, "code")]
    assert all("Text" in p.message for p in report.problems)


def test_a_row_can_have_several_problems():
    report = read("code,name\n0012345678,\n", fields=["name"])
    assert problems(report) == [(2, "code"), (2, "name")]


def test_empty_values_matter_only_for_the_merge_fields():
    report = read(f"code,name,note\n{ALI},Ali,\n", fields=["name"])
    assert report.ok and report.rows[0].values == {"name": "Ali", "note": ""}


def test_a_merge_field_that_is_no_column_is_one_problem_on_the_header_line():
    report = read(f"\n\ncode,name\n{ALI},Ali\n", fields=["name", "amount", "amount", "code"])
    assert problems(report) == [(3, "amount")]
    assert "{amount}" in report.problems[0].message
    assert [r.line for r in report.rows] == [4]  # the rows are still checked


def test_blank_lines_are_skipped_and_lines_stay_right_around_quoted_newlines():
    text = (
        "code,address,name\r\n"  # 1
        "\r\n"  # 2 blank
        f'{ALI},"Tehran,\r\nValiasr St.\r\nNo. 1",Ali\r\n'  # 3-5
        ",,\r\n"  # 6 a spreadsheet's empty row
        f"{MARYAM},Shiraz,Maryam\r\n"  # 7
        f'0012345678,"two\nlines",Bad\r\n'  # 8-9
        f"{SARA},Tabriz,\r\n"  # 10
    )
    report = read(text, fields=["name"])
    assert [(r.line, r.recipient) for r in report.rows] == [(3, ALI), (7, MARYAM)]
    assert report.rows[0].values["address"] == "Tehran,\r\nValiasr St.\r\nNo. 1"
    assert problems(report) == [(8, "code"), (10, "name")]


def test_cells_are_stripped_and_trailing_empty_columns_ignored():
    report = read(f" code , name ,,\n {ALI} , Ali ,,\n")
    assert report.columns == ("code", "name") and report.ok
    assert report.rows[0].values == {"name": "Ali"}


def test_an_excel_text_prefix_and_the_exports_apostrophe_come_off():
    report = read(f"code,formula,note\n'{ALI},'=SUM(A1),'plain\n'{MARYAM},'+98,''@x\n")
    assert report.ok and [r.recipient for r in report.rows] == [ALI, MARYAM]
    assert report.rows[0].values == {"formula": "=SUM(A1)", "note": "'plain"}
    assert report.rows[1].values == {"formula": "+98", "note": "'@x"}


# --- file-level refusals ---------------------------------------------------------------------


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(CsvRefused) as caught:
        read_recipients_csv(data, **kwargs)
    return str(caught.value)


def test_an_empty_file_is_refused():
    assert "خالی" in refused(b"")
    assert "خالی" in refused(b"\r\n \r\n")
    assert "خالی" in refused(b"\xef\xbb\xbf")


def test_a_header_without_rows_is_refused():
    assert "گیرنده" in refused(b"code,name\r\n\r\n")


def test_no_recipient_column_is_refused_naming_the_names():
    message = refused(b"name,amount\nAli,1\n")
    assert "national_code" in message and "کد ملی" in message


def test_duplicate_and_nameless_columns_are_refused():
    assert "«name» دو بار" in refused(f"code,name,name\n{ALI},a,b\n".encode())
    assert "«Name» دو بار" in refused(f"code,name, Name\n{ALI},a,b\n".encode())
    assert "۲" in refused(f"code,,name\n{ALI},a,b\n".encode())


def test_a_20_mb_file_is_refused_before_it_is_read():
    row = f"{ALI},{'x' * 100}\n".encode()
    data = b"code,name\n" + row * (20 * 1024 * 1024 // len(row) + 1)
    assert len(data) > 20 * 1024 * 1024
    message = refused(data)
    assert "۲۰ مگابایت" in message and "۱۰ مگابایت" in message


@override_settings(CAMPAIGN_CSV_MAX_BYTES=100)
def test_the_size_limit_is_a_setting():
    assert read("code\n" + f"{ALI}\n").ok
    assert "مگابایت" in refused(b"code\n" + b"0012345679\n" * 10)


@override_settings(CAMPAIGN_MAX_ROWS=2)
def test_more_rows_than_allowed_are_refused():
    assert len(read(f"code\n{ALI}\n\n{MARYAM}\n\n").rows) == 2  # blank lines do not count
    assert "۲" in refused(f"code\n{ALI}\n{MARYAM}\n{SARA}\n".encode())


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize("data", [PNG, PDF, b"GIF89a\x01\x00", b"\xff\xd8\xff\xe0\x00\x10JFIF"])
def test_a_picture_or_pdf_renamed_csv_is_refused(data):
    assert "متنی نیست" in refused(data)


def test_a_spreadsheet_or_utf16_file_gets_advice():
    assert "اکسل" in refused(b"PK\x03\x04\x14\x00\x06\x00")
    assert "UTF-16" in refused("code\r\n0012345679\r\n".encode("utf-16"))


def test_control_characters_are_no_text():
    assert "رمزگذاری" in refused(b"code\n\x80\x81\x01\x02\x03\n")


def test_a_cell_past_the_csv_modules_limit_is_refused_with_its_line():
    huge = "x" * (csv.field_size_limit() + 10)
    assert "سطر ۳" in refused(f"code,note\n{ALI},a\n{MARYAM},{huge}\n".encode())


# --- merging ---------------------------------------------------------------------------------


def test_merge_fields_in_first_seen_order():
    assert merge_fields("{name} عزیز، {مبلغ_کل}", "{name} {amount2} {not a field} {}") == [
        "name",
        "مبلغ_کل",
        "amount2",
    ]


def test_merge_text_escapes_for_html_and_leaves_unknown_names():
    values = {"name": "<b>Ali</b> & co", "amount": "۱۲۰۰"}
    text = "{name}: {amount} ریال {unknown}"
    assert merge_text(text, values, escape_html=False) == "<b>Ali</b> & co: ۱۲۰۰ ریال {unknown}"
    assert merge_text(text, values, escape_html=True) == (
        "&lt;b&gt;Ali&lt;/b&gt; &amp; co: ۱۲۰۰ ریال {unknown}"
    )


def test_merge_text_finds_a_persian_column_written_with_arabic_letters():
    assert merge_text("{نام_خانوادگي}", {"نام_خانوادگی": "احمدی"}, escape_html=False) == "احمدی"


# --- exports ---------------------------------------------------------------------------------


def test_csv_bytes_is_excel_friendly_and_formula_safe():
    data = csv_bytes(["کد ملی", "note"], [[ALI, "=HYPERLINK(1)"], [MARYAM, "+1"], [SARA, None]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["کد ملی", "note"], [ALI, "'=HYPERLINK(1)"], [MARYAM, "'+1"], [SARA, ""]]
    for start in ("-", "@", "\t", "\r", "'="):
        exported = csv_bytes(["a"], [[start + "x"]]).decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(exported, newline="")))[1] == [f"'{start}x"]


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="=+-@',;\"\n"),
    max_size=12,
).map(str.strip)


@st.composite
def recipients_and_rows(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    codes = draw(st.lists(st.one_of(national_codes(), legal_ids()), min_size=1, unique=True))
    rows = [[code, *draw(st.lists(cells, min_size=3, max_size=3))] for code in codes]
    return codes, rows


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(recipients_and_rows(), st.booleans())
def test_an_export_reads_back_the_same(generated, strip_zeros):
    codes, rows = generated
    written = [
        [row[0].lstrip("0") if strip_zeros and len(row[0]) == 10 else row[0], *row[1:]]
        for row in rows
    ]
    data = csv_bytes(["national_code", "a", "b", "c"], written)
    report = read_recipients_csv(data)
    padded_ok = [c for c in codes if not (strip_zeros and len(c) == 10 and len(c.lstrip("0")) < 8)]
    assert [r.recipient for r in report.rows] == padded_ok
    for row, got in zip([r for r in rows if r[0] in padded_ok], report.rows, strict=True):
        assert got.values == {"a": row[1], "b": row[2], "c": row[3]}
    assert report.encoding == "utf-8-sig"
