"""What a letter may carry: attachments recognized by content, within the size
limit, and a body cleaned to the allow-list."""

import hashlib

import pytest

from mailbox.content import sanitize_body
from mailbox.exceptions import AttachmentRefused

from .conftest import ALI, JPEG, PNG, assert_nothing_stored, pdf, upload

pytestmark = pytest.mark.django_db


def test_pdf_jpeg_and_png_are_stored_with_their_hash(send, ali):
    files = [upload("صورت‌حساب.pdf", pdf()), upload("photo.JPG", JPEG), upload("scan.png", PNG)]
    letter = send(attachments=files)
    attachments = list(letter.attachments.order_by("position"))
    assert [a.content_type for a in attachments] == ["application/pdf", "image/jpeg", "image/png"]
    assert attachments[0].original_name == "صورت‌حساب.pdf"
    assert attachments[0].sha256 == hashlib.sha256(pdf()).hexdigest()
    assert attachments[0].size == len(pdf())
    assert letter.attachment_count == 3
    # The storage name is random: the person's file name is not in it.
    assert "صورت" not in attachments[0].file.name and attachments[0].file.name.endswith(".pdf")
    with attachments[0].file.open("rb") as handle:
        assert handle.read() == pdf()


def test_a_png_that_is_a_pdf_is_refused_by_name(send, ali):
    with pytest.raises(AttachmentRefused) as caught:
        send(attachments=[upload("scan.png", pdf())])
    message = str(caught.value)
    assert "scan.png" in message and "PDF" in message and ".pdf" in message
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.pdf", b"", "خالی است"),
        ("note.txt", b"hello", "فقط PDF، JPEG و PNG"),
        ("anim.gif", b"GIF89a\x01\x00", "فقط PDF، JPEG و PNG"),
        ("page.html", b"<html><script>", "فقط PDF، JPEG و PNG"),
        ("noext", None, "هم‌خوان نیست"),
    ],
)
def test_unknown_empty_and_nameless_files_are_refused(send, ali, name, content, words):
    with pytest.raises(AttachmentRefused) as caught:
        send(attachments=[upload(name, pdf() if content is None else content)])
    assert words in str(caught.value)
    assert_nothing_stored()


def test_an_oversized_file_is_refused_and_the_good_one_before_it_not_stored(send, ali, settings):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 1024
    big = pdf() + b"%" + b"0" * 2048
    with pytest.raises(AttachmentRefused) as caught:
        send(attachments=[upload("ok.pdf", pdf()), upload("big.pdf", big)])
    assert "big.pdf" in str(caught.value) and "بزرگ‌تر از" in str(caught.value)
    assert_nothing_stored()


def test_a_size_that_lies_is_caught_while_reading(send, ali, settings):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 1024
    liar = upload("big.pdf", pdf() + b"0" * 2048)
    liar.size = 10
    with pytest.raises(AttachmentRefused):
        send(attachments=[liar])
    assert_nothing_stored()


def test_too_many_attachments_are_refused(send, ali, settings):
    settings.LETTER_MAX_ATTACHMENTS = 2
    with pytest.raises(AttachmentRefused):
        send(attachments=[upload(f"{n}.png", PNG) for n in range(3)])
    assert_nothing_stored()


def test_a_path_in_the_name_is_dropped(send, ali):
    letter = send(recipients=[ALI], attachments=[upload("../../etc/x.pdf", pdf())])
    assert letter.attachments.get().original_name == "x.pdf"


# --- sanitizing ------------------------------------------------------------------------------


def test_scripts_handlers_and_javascript_links_are_stripped(send, ali):
    body = (
        '<p dir="rtl" onclick="steal()" style="color:red">سلام <b>مهم</b></p>'
        "<script>alert(1)</script><style>p{display:none}</style>"
        '<a href="javascript:alert(1)">بد</a> <a href="https://my.gov.ir/x">خوب</a>'
        '<img src="https://evil.example/t.gif" onerror="x()"><iframe src="https://e.x"></iframe>'
        '<a href="/accounts/logout/">نسبی</a><!-- note -->'
    )
    letter = send(body=body)
    clean = letter.body
    for bad in ("script", "alert", "onclick", "style", "javascript", "<img", "iframe", "onerror",
                "display:none", "/accounts/logout/", "note"):  # fmt: skip
        assert bad not in clean, bad
    assert '<p dir="rtl">سلام <b>مهم</b></p>' in clean
    assert 'href="https://my.gov.ir/x"' in clean and 'rel="noopener noreferrer nofollow"' in clean


def test_tables_and_lists_survive():
    html = '<table><tr><td colspan="2">۱</td></tr></table><ol start="3"><li>الف</li></ol>'
    clean = sanitize_body(html)
    assert 'colspan="2"' in clean and '<ol start="3"><li>الف</li></ol>' in clean


def test_direction_overrides_cannot_disguise_an_extension(send, ali):
    with pytest.raises(AttachmentRefused):
        send(attachments=[upload("invoice\u202egnp.pdf", PNG)])
    letter = send(attachments=[upload("invoice\u202efdp.png", PNG)])
    assert letter.attachments.get().original_name == "invoicefdp.png"
