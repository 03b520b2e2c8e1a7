"""People, agencies and files for the mailbox tests. The people are the demo
identities of docs/demo-identities.md."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.constants import InboxStatus
from accounts.models import LegalPerson, NaturalPerson
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
from mailbox.demo import tiny_pdf
from mailbox.models import Attachment, Letter
from mailbox.services import letter_send
from payam.models import TrackingCode

from .factories import AgencyMailboxFactory

__all__ = ["ALI", "ALI_MOBILE", "COMPANY", "MARYAM", "MARYAM_MOBILE", "REZA"]


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 90, 160)).save(out, fmt)
    return out.getvalue()


# Real, small files: attachments are opened for what they claim to be.
PNG = _image("PNG")
JPEG = _image("JPEG")


def pdf() -> bytes:
    """A small, valid one-page PDF (always the same bytes)."""
    return tiny_pdf(["Payam test attachment"])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files() -> list[str]:
    """Every attachment file in the (per-test, in-memory) storage."""
    if not default_storage.exists("letters"):
        return []
    found, folders = [], ["letters"]
    while folders:
        folder = folders.pop()
        dirs, files = default_storage.listdir(folder)
        found += [f"{folder}/{name}" for name in files]
        folders += [f"{folder}/{name}" for name in dirs]
    return found


def assert_nothing_stored() -> None:
    """A refused letter left no letter, attachment, tracking code or file behind."""
    assert not Letter.objects.exists()
    assert not Attachment.objects.exists()
    assert not TrackingCode.objects.exists()
    assert stored_files() == []


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


def activate(user, status=InboxStatus.ACTIVE):
    """The person's inbox, activated in person at a broker office (or set to `status`)."""
    for model in (NaturalPerson, LegalPerson):
        model.objects.filter(user=user).update(inbox_status=status)
    return user


def fresh(user):
    """The account as a new request would load it (its profile not cached)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def owner(ali):
    """Ali with an active inbox."""
    return fresh(activate(ali))
