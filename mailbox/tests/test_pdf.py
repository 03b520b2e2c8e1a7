"""A letter on paper: the PDF (WeasyPrint) and the print view. What the reader
sees on the sheet (sender, recipient, Jalali date, subject, body, attachments,
both codes and a QR code to /verify/), that nothing but our own font and style
sheet is ever loaded while rendering, page numbers on long letters, and the
same scoping as every letter page (404 for another person's code, 403 for an
inbox not yet active)."""

import io
import re
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path
from typing import cast

import pytest
import qrcode
import qrcode.constants
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from accounts.constants import InboxStatus
from accounts.models import NaturalPerson
from accounts.tests.factories import MaryamFactory, NoavaranFactory
from mailbox import pdf as paper
from mailbox.models import Delivery
from mailbox.views_print import verify_path
from payam.jalali import format_date_long
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, assert_persian, scan

from .conftest import COMPANY, MARYAM, PNG, pdf, upload

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(settings.BASE_DIR) / "tests" / "e2e" / "screenshots"
VERIFY_URL = "https://payam.example.ir/verify/?t={t}&v={v}"

LONG_BODY = "".join(
    f"<h3>بند {n}</h3><p>مؤدی گرامی، بر پایه‌ی ماده‌ی {n} قانون مالیات‌های مستقیم، "
    "اظهارنامه‌ی شما بررسی شد و نتیجه‌ی آن در این نامه به آگاهی شما می‌رسد. "
    "لطفاً مدارک خواسته‌شده را در مهلت قانونی به اداره‌ی امور مالیاتی محل فعالیت خود "
    "تحویل دهید یا از راه کارپوشه‌ی رسمی خود بفرستید.</p>"
    for n in range(1, 13)
)


def persian(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def delivery_of(letter, user=None) -> Delivery:
    rows = Delivery.objects.select_related("letter", "recipient").filter(letter=letter)
    return rows.get(recipient__owner=user) if user else rows.get()


def verify_url_of(letter) -> str:
    return VERIFY_URL.format(t=letter.tracking_code, v=letter.verification_code)


def render(letter, user=None) -> bytes:
    return paper.letter_pdf(delivery=delivery_of(letter, user), verify_url=verify_url_of(letter))


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def font_names(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        fonts = cast(DictionaryObject, resources["/Font"].get_object())
        for ref in fonts.values():
            names.add(str(cast(DictionaryObject, ref.get_object())["/BaseFont"]))
    return names


def save_first_page_png(content: bytes, name: str) -> Path | None:
    """Page 1 as a PNG under tests/e2e/screenshots/, when poppler's pdftoppm is there."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "letter.pdf"
        source.write_bytes(content)
        subprocess.run(
            [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", source,
             Path(folder) / "page"],
            check=True,
            timeout=60,
        )  # fmt: skip
        target = SCREENSHOTS / name
        shutil.copyfile(Path(folder) / "page.png", target)
    return target


@pytest.fixture
def reader(client, ali):
    """Ali, signed in, with an active inbox."""
    NaturalPerson.objects.filter(user=ali).update(inbox_status=InboxStatus.ACTIVE)
    client.force_login(ali)
    return client


# --- the HTML fed to WeasyPrint ------------------------------------------------------------------


def test_the_sheet_shows_sender_recipient_date_subject_body_and_both_codes(send, ali):
    letter = send(
        subject="اطلاعیه‌ی مالیات بر ارزش افزوده",
        body="<h2>بدهی مالیاتی</h2><p>بدهی شما <strong>۱۲ میلیون ریال</strong> است.</p>"
        "<ul><li>مهلت: ۱۰ روز</li></ul>",
    )
    delivery = delivery_of(letter, ali)
    verify_url = verify_url_of(letter)

    html = paper.letter_html(delivery=delivery, verify_url=verify_url)

    assert '<html lang="fa" dir="rtl">' in html
    assert "پیام ایران — سامانه‌ی ابلاغ رسمی" in html
    assert "سازمان امور مالیاتی کشور" in html
    assert "علی رضایی" in html and "کد ملی" in html and "۰۰۱۲۳۴۵۶۷۹" in html
    with translation.override("fa"):
        assert format_date_long(letter.sent_at) in html
    assert "اطلاعیه‌ی مالیات بر ارزش افزوده" in html
    assert "اطلاعیه" in html  # the category
    assert letter.body in html  # sanitized when sent, shown as it is
    assert html.count(letter.tracking_code) >= 2  # the header and the check
    assert letter.verification_code in html
    assert escape(verify_url) in html  # the QR code's link
    assert "برای تصدیق این نامه به" in html and "https://payam.example.ir/verify/<" in html
    assert str(paper.qr_svg(verify_url, label="نماد QR تصدیق این نامه")) in html
    assert "ابلاغ قانونی" not in html


def test_the_sheet_is_persian_whatever_the_readers_language(send, ali):
    letter = send()
    with translation.override("en"):
        html = paper.letter_html(
            delivery=delivery_of(letter, ali), verify_url=verify_url_of(letter)
        )
    assert "صفحه" in html and "تصدیق این نامه" in html and "۰۰۱۲۳۴۵۶۷۹" in html


def test_a_script_in_a_body_never_reaches_the_sheet(send, ali):
    letter = send(
        body='<p>سلام</p><script>alert("x")</script><img src="https://evil.example/x.png" '
        'onerror="alert(1)"><a href="javascript:alert(2)">پیوند</a>'
        '<link rel="stylesheet" href="https://evil.example/a.css">'
    )
    html = paper.letter_html(delivery=delivery_of(letter, ali), verify_url=verify_url_of(letter))
    assert "<script" not in html
    assert "alert" not in html and "onerror" not in html and "evil.example" not in html
    assert "سلام" in html


def test_a_legal_notice_carries_its_banner(send, ali):
    letter = send(is_legal_notice=True)
    html = paper.letter_html(delivery=delivery_of(letter, ali), verify_url=verify_url_of(letter))
    assert 'data-testid="doc-legal-notice"' in html and "ابلاغ قانونی" in html


def test_attachments_are_listed_by_name_and_size_not_content(send, ali):
    letter = send(
        attachments=[
            upload("صورت‌حساب.pdf", pdf()),
            upload("scan.png", PNG),
        ]
    )
    html = paper.letter_html(delivery=delivery_of(letter, ali), verify_url=verify_url_of(letter))
    assert "صورت‌حساب.pdf" in html and "scan.png" in html
    assert "۲ پرونده" in html  # «پیوست:» in the header
    assert "%PDF" not in html


def test_a_company_is_named_with_its_national_id(send):
    company = NoavaranFactory()
    letter = send(recipients=[COMPANY])
    html = paper.letter_html(
        delivery=delivery_of(letter, company), verify_url=verify_url_of(letter)
    )
    assert "شرکت نوآوران پارس" in html and "شناسه‌ی ملی" in html and "۱۰۱۰۰۱۲۳۴۵۶" in html


def test_the_qr_code_draws_exactly_the_modules_of_the_verify_url():
    url = VERIFY_URL.format(t="66E0814240", v="ABCD1234")
    svg = str(paper.qr_svg(url, label="QR"))
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    expected.add_data(url)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    size = len(matrix)
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for column in range(int(x), int(x) + int(width)):
            drawn[int(y)][column] = True
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert drawn == [list(map(bool, row)) for row in matrix]
    assert "style=" not in svg  # the print view is under the CSP


def test_the_qr_codes_address_verifies_the_letter(client, send, ali):
    letter = send()
    html = client.get(verify_path(letter)).content.decode()
    assert 'data-testid="letter-verified"' in html


# --- the fetcher --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/font.woff2",
        "http://127.0.0.1:8000/static/css/letter.css",
        "ftp://evil.example/x",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://evil.example/static/css/letter.css",
        "file://localhost/etc/hosts",
        "{static}/img/favicon.svg",  # ours, but not needed by a letter
        "{static}/css/payam.css",
        "{static}/css/../../mailbox/models.py",
        "{static}/../payam/settings/base.py",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_every_url_but_our_font_and_style_sheet(url):
    url = url.replace("{static}", paper.static_dir().as_uri())
    with pytest.raises(paper.RefusedURL):
        paper.StaticAssetFetcher().fetch(url)


def test_the_fetcher_serves_the_font_and_the_style_sheet():
    fetcher = paper.StaticAssetFetcher()
    for weight in paper.FONT_WEIGHTS:
        font = fetcher.fetch(paper.base_url() + paper.FONT_URL.format(weight=weight))
        # A static TrueType font per weight, cut once per process, not for every letter.
        data = font.read()
        assert data[:4] == b"\x00\x01\x00\x00" and font.content_type == "font/ttf"
        parsed = TTFont(io.BytesIO(data))
        assert "fvar" not in parsed and parsed["OS/2"].usWeightClass == weight
    with pytest.raises(paper.RefusedURL):  # the variable font itself is not needed
        fetcher.fetch(paper.base_url() + paper.VARIABLE_FONT)
    sheet = fetcher.fetch(paper.base_url() + "css/../css/letter.css")
    assert b"@page" in sheet.read() and sheet.content_type == "text/css"


# --- the PDF ------------------------------------------------------------------------------------


def test_a_short_letter_is_one_a4_page_in_vazirmatn(send, ali):
    letter = send(
        subject="اطلاعیه‌ی مالیات بر ارزش افزوده دوره‌ی زمستان",
        body="<p>مؤدی گرامی، اظهارنامه‌ی مالیات بر ارزش افزوده‌ی دوره‌ی زمستان شما دریافت "
        "و بررسی شد. مبلغ <strong>۱۲٬۴۵۰٬۰۰۰ ریال</strong> بدهی قطعی شما است.</p>"
        "<p>لطفاً تا پایان ماه جاری از راه درگاه پرداخت سازمان بپردازید.</p>",
        is_legal_notice=True,
        attachments=[upload("صورت‌حساب.pdf", pdf())],
    )

    content = render(letter, ali)

    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert any("Vazirmatn" in name for name in font_names(content))
    text = pages_text(content)[0]
    assert letter.tracking_code in text and letter.verification_code in text
    assert "https://payam.example.ir/verify/" in text
    save_first_page_png(content, "letter-pdf-page1.png")


def test_a_long_letter_runs_over_pages_numbered_with_the_code_on_each(send, ali):
    letter = send(body=LONG_BODY)

    content = render(letter, ali)

    pages = pages_text(content)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        # The footer, last on the page: the tracking code, then «صفحه‌ی n از N» (pypdf
        # gives right-to-left text in an order of its own, so only its numbers are compared).
        assert letter.tracking_code in text
        footer = text[text.rindex(letter.tracking_code) :]
        assert "صفحه" in footer
        assert set(re.findall("[۰-۹]+", footer)) == {persian(number), persian(len(pages))}
    assert letter.verification_code in pages[-1]
    assert letter.verification_code not in pages[0]


# --- the pages ----------------------------------------------------------------------------------


def test_the_owner_opens_the_pdf_inline_never_cached(reader, send, ali):
    letter = send()

    response = reader.get(reverse("mailbox:pdf", args=[letter.tracking_code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'inline; filename="letter-{letter.tracking_code}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    text = pages_text(response.content)[0]
    assert "http://testserver/verify/" in text  # the address of this site
    assert delivery_of(letter, ali).first_read_at is None  # only the letter page stamps it


def test_the_print_view_shows_the_letter_with_a_print_button_under_the_csp(reader, send, ali):
    letter = send(subject="اطلاعیه‌ی مالیاتی سالانه", body="<p>متن نامه‌ی چاپی</p>")

    response = reader.get(reverse("mailbox:print", args=[letter.tracking_code]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("اطلاعیه‌ی مالیاتی سالانه", "متن نامه‌ی چاپی", "سازمان امور مالیاتی کشور",
                 "علی رضایی", letter.tracking_code, letter.verification_code,
                 "http://testserver/verify/"):  # fmt: skip
        assert text in html
    assert "<button" in html and "data-print" in html and "چاپ" in html
    assert escape(verify_path(letter)) in html  # the QR code links to the check
    assert reverse("mailbox:pdf", args=[letter.tracking_code]) in html
    assert "css/letter.css" in html
    page = scan(response)
    assert_persian(page)
    assert_nothing_inline(page)
    assert_only_local_urls(page)
    assert "no-store" in response["Cache-Control"]
    assert delivery_of(letter, ali).first_read_at is None


def test_the_letter_page_links_to_its_pdf_and_print_view(reader, send):
    letter = send()
    html = reader.get(reverse("mailbox:letter", args=[letter.tracking_code])).content.decode()
    assert reverse("mailbox:pdf", args=[letter.tracking_code]) in html
    assert reverse("mailbox:print", args=[letter.tracking_code]) in html
    assert "دریافت PDF" in html and "نسخه‌ی چاپی" in html


@pytest.mark.parametrize("name", ["pdf", "print"])
def test_another_persons_letter_is_not_found(reader, send, name):
    MaryamFactory()
    theirs = send(recipients=[MARYAM])
    assert reader.get(reverse(f"mailbox:{name}", args=[theirs.tracking_code])).status_code == 404
    assert reader.get(reverse(f"mailbox:{name}", args=["NOT-A-CODE"])).status_code == 404


@pytest.mark.parametrize("name", ["pdf", "print"])
def test_a_visitor_is_sent_to_sign_in(client, send, ali, name):
    letter = send()
    response = client.get(reverse(f"mailbox:{name}", args=[letter.tracking_code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["pdf", "print"])
def test_an_inbox_not_yet_active_gets_403_without_the_letter(client, send, ali, name):
    letter = send(subject="موضوع محرمانه")
    client.force_login(ali)  # registered, not yet activated at a broker office
    response = client.get(reverse(f"mailbox:{name}", args=[letter.tracking_code]))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "موضوع محرمانه" not in response.content.decode()


@pytest.mark.parametrize("name", ["pdf", "print"])
def test_only_get(reader, send, name):
    letter = send()
    assert reader.post(reverse(f"mailbox:{name}", args=[letter.tracking_code])).status_code == 405
