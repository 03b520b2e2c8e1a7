"""The service desk's demo: شرکت نوآوران پارس (10100123456) has one general
e-government request sent two working days ago, waiting in ito.expert's queue at
/review/desk/, and one draft of a cyber-security request at /desk/ to finish.

Made through the services (numbers, tracking codes, history, audit), dated
relative to the day it is seeded. Runs after the accounts and mailbox demos
(INSTALLED_APPS order); seeding again changes nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from mailbox.demo import COMPANY, tiny_pdf
from mailbox.services import mailbox_for_user
from payam.demo import DemoLogin

from . import services
from .constants import AttachmentSlot
from .models import Request

SUBMITTED_SUBJECT = "درخواست اتصال سامانه‌ی فروش به درگاه پرداخت دولت"
DRAFT_SUBJECT = "ارزیابی امنیتی سامانه‌ی مشتریان"


def _letter(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, tiny_pdf(["Noavaran Pars - request letter"]), content_type="application/pdf"
    )


def _request(company: User, *, kind: str, subject: str, description: str) -> Request | None:
    """The demo request with `subject`, made now; None if it exists already."""
    applicant = mailbox_for_user(user=company)
    if Request.objects.filter(applicant=applicant, kind=kind, data__subject=subject).exists():
        return None
    request = services.request_create(actor=company, applicant=applicant, kind=kind)
    services.request_update_data(
        actor=company, request=request, data={"subject": subject, "description": description}
    )
    return request


def seed() -> list[DemoLogin]:
    company = User.objects.filter(username=COMPANY).first()
    if company is None:
        return []
    submitted = _request(
        company,
        kind="egov_general",
        subject=SUBMITTED_SUBJECT,
        description=(
            "شرکت نوآوران پارس درخواست دارد سامانه‌ی فروش برخط آن به درگاه پرداخت دولت "
            "الکترونیک متصل شود. نامه‌ی رسمی شرکت پیوست است."
        ),
    )
    if submitted is not None:
        services.request_attach(
            actor=company,
            request=submitted,
            slot=AttachmentSlot.REQUEST_LETTER,
            upload=_letter("request-letter.pdf"),
        )
        services.request_submit(actor=company, request=submitted)
        sent = timezone.now() - timedelta(days=2)
        Request.objects.filter(pk=submitted.pk).update(
            created_at=sent - timedelta(hours=1), submitted_at=sent
        )
        submitted.changes.update(at=sent)
    _request(
        company,
        kind="security_general",
        subject=DRAFT_SUBJECT,
        description="ارزیابی امنیتی و آزمون نفوذ سامانه‌ی مشتریان پیش از راه‌اندازی.",
    )
    return []
