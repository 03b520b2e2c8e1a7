"""People, agencies and files for the mailbox tests. The people are the demo
identities of docs/demo-identities.md."""

import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import LegalPerson, NaturalPerson, User, UserKind
from mailbox.constants import LetterCategory, MailboxKind
from mailbox.demo import tiny_pdf
from mailbox.models import Attachment, Letter, Mailbox
from mailbox.services import letter_send
from payam.identifiers import national_code_check_digit
from payam.models import TrackingCode

ALI, MARYAM, REZA = "0012345679", "0023456787", "0034567895"
COMPANY = "10100123456"
ALI_MOBILE, MARYAM_MOBILE = "+989121234567", "+989123456789"


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


def make_citizen(
    code: str = ALI,
    *,
    first: str = "علی",
    last: str = "رضایی",
    mobile: str = ALI_MOBILE,
    notify_by_sms: bool = True,
    email: str = "",
    email_verified: bool = False,
    notify_by_email: bool = False,
) -> User:
    user = User.objects.create_user(
        username=code, kind=UserKind.NATURAL, first_name=first, last_name=last
    )
    NaturalPerson.objects.create(
        user=user,
        national_code=code,
        first_name=first,
        last_name=last,
        birth_date=date(1985, 3, 21),
        gender="male",
        mobile=mobile,
        email=email,
        email_verified_at=timezone.now() if email_verified else None,
        notify_by_sms=notify_by_sms,
        notify_by_email=notify_by_email,
    )
    return user


def make_company(national_id: str = COMPANY, *, mobile: str = MARYAM_MOBILE) -> User:
    user = User.objects.create_user(
        username=national_id, kind=UserKind.LEGAL, first_name="شرکت نوآوران پارس"
    )
    LegalPerson.objects.create(
        user=user,
        national_id=national_id,
        name="شرکت نوآوران پارس (سهامی خاص)",
        registration_number="512345",
        ceo_national_code=MARYAM,
        ceo_name="مریم احمدی",
        mobile=mobile,
    )
    return user


def make_agency(name: str = "سازمان امور مالیاتی کشور", *, accepts_letters: bool = True):
    return Mailbox.objects.create(
        kind=MailboxKind.AGENCY, display_name=name, accepts_letters=accepts_letters
    )


def national_codes(count: int, *, start: int = 100000001) -> list[str]:
    """`count` valid national codes no demo person has."""
    codes = []
    for n in range(start, start + count):
        first_nine = f"{n:09d}"
        codes.append(first_nine + str(national_code_check_digit(first_nine)))
    return codes


@pytest.fixture
def admin(db):
    return User.objects.create_superuser(username="admin", password="x", kind=UserKind.STAFF)


@pytest.fixture
def ali(db):
    return make_citizen()


@pytest.fixture
def maryam(db):
    return make_citizen(MARYAM, first="مریم", last="احمدی", mobile=MARYAM_MOBILE)


@pytest.fixture
def tax(db):
    return make_agency()


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
