"""People, agencies and files for the mailbox tests. The people are the demo
identities of docs/demo-identities.md."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import (
    ALI,
    ALI_MOBILE,
    MARYAM,
    MARYAM_MOBILE,
    REZA,
    AliFactory,
    MaryamFactory,
    SuperuserFactory,
)
from accounts.tests.factories import NOAVARAN as COMPANY
from mailbox.constants import LetterCategory
from mailbox.services import letter_send

from .factories import AgencyMailboxFactory

__all__ = ["ALI", "ALI_MOBILE", "COMPANY", "MARYAM", "MARYAM_MOBILE", "REZA"]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def pdf() -> bytes:
    """A minimal PDF (what the sniffer needs is its first bytes)."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def admin(db):
    return SuperuserFactory(username="admin")


@pytest.fixture
def ali(db):
    return AliFactory()


@pytest.fixture
def maryam(db):
    return MaryamFactory()


@pytest.fixture
def tax(db):
    return AgencyMailboxFactory(display_name="سازمان امور مالیاتی کشور")


@pytest.fixture
def send(admin, tax):
    """An agency letter, sent by the superuser for the tax organization."""

    def _send(recipients=(ALI,), **kwargs):
        fields = {
            "actor": admin,
            "sender": tax,
            "recipients": list(recipients),
            "subject": "اطلاعیه‌ی مالیاتی",
            "body": "<p>متن نامه</p>",
            "category": LetterCategory.NOTICE,
        }
        fields.update(kwargs)
        return letter_send(**fields)

    return _send


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    """A new in-memory storage per test, so a test sees only the files it stored."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
