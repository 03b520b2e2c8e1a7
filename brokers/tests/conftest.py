"""Offices, their staff, people and letters for the brokers tests. People are the
demo identities of docs/demo-identities.md, which the fake registries know."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import role_grant
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import ALI, AliFactory, StaffFactory, SuperuserFactory
from brokers.constants import DelegationLetters, DelegationScope, DelegationStatus, OfficeKind
from brokers.models import Delegation
from mailbox.constants import LetterCategory
from mailbox.demo import tiny_pdf
from mailbox.services import letter_send, mailbox_for_user
from mailbox.tests.conftest import activate, fresh
from mailbox.tests.factories import AgencyMailboxFactory

from .factories import BrokerOfficeFactory


def scan_pdf(name: str = "request.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(["Signed request"]), content_type="application/pdf")


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def admin(db):
    return SuperuserFactory(username="admin")


@pytest.fixture
def office(db):
    return BrokerOfficeFactory(name="دفتر پیشخوان ونک", code="11001")


@pytest.fixture
def other_office(db):
    return BrokerOfficeFactory(
        name="دفتر خدمات قضایی چهارباغ", code="31002", kind=OfficeKind.JUDICIARY, city="اصفهان"
    )


def staff_of(admin, office, role, username):
    user = StaffFactory(username=username, first_name="کامران", last_name="صادقی")
    role_grant(actor=admin, user=user, role=role, organization=office)
    return user


@pytest.fixture
def clerk(admin, office):
    return staff_of(admin, office, Role.BROKER_CLERK, "broker.clerk")


@pytest.fixture
def manager(admin, office):
    return staff_of(admin, office, Role.BROKER_MANAGER, "broker.manager")


@pytest.fixture
def other_clerk(admin, other_office):
    return staff_of(admin, other_office, Role.BROKER_CLERK, "broker2.clerk")


def signed_in(user) -> Client:
    client = Client()
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture
def clerk_client(clerk):
    return signed_in(clerk)


@pytest.fixture
def ali(db):
    """علی رضایی, with an active inbox."""
    return fresh(activate(AliFactory()))


@pytest.fixture
def tax(db):
    return AgencyMailboxFactory(display_name="سازمان امور مالیاتی کشور")


@pytest.fixture
def insurance(db):
    return AgencyMailboxFactory(display_name="سازمان تأمین اجتماعی")


@pytest.fixture
def letters(admin, ali, tax, insurance):
    """Two letters to Ali: one from the tax organization, one from social security."""
    sent = []
    for sender, subject in ((tax, "اطلاعیه‌ی مالیاتی"), (insurance, "سابقه‌ی بیمه")):
        sent.append(
            letter_send(
                actor=admin,
                sender=sender,
                recipients=[ALI],
                subject=subject,
                body="<p>متن نامه</p>",
                category=LetterCategory.NOTICE,
            )
        )
    return sent


def make_delegation(
    *,
    office,
    owner,
    clerk,
    status=DelegationStatus.ACTIVE,
    scope=DelegationScope.VIEW_PRINT,
    letters=DelegationLetters.ALL,
    days=30,
    **fields,
):
    """A delegation as the counter leaves it (scan stored, confirmed), straight in the table."""
    delegation = Delegation(
        office=office,
        owner=owner,
        mailbox=mailbox_for_user(user=owner),
        scope=scope,
        letters=letters,
        expires_at=timezone.now() + timedelta(days=days),
        status=status,
        scan_content_type="application/pdf",
        scan_sha256="0" * 64,
        created_by=clerk,
        confirmed_at=timezone.now() if status != DelegationStatus.PENDING else None,
        **fields,
    )
    delegation.scan.save("request.pdf", scan_pdf(), save=False)
    delegation.save()
    return delegation


@pytest.fixture
def delegation(office, ali, clerk, letters):
    return make_delegation(office=office, owner=ali, clerk=clerk)
