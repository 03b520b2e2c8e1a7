"""Applicants, experts, requests and files for the service-desk tests.

company()                       # a legal person (user) with its mailbox
RequestFactory(applicant=mb, filed_by=user, status="in_review")
general_draft(user)             # a complete egov_general draft, ready to submit
"""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.models import User
from accounts.tests.factories import CompanyFactory
from agencies.tests.factories import expert
from mailbox.demo import tiny_pdf
from mailbox.services import mailbox_for_user
from payam import tracking
from servicedesk import services
from servicedesk.constants import AttachmentSlot, RequestStatus
from servicedesk.models import Request

__all__ = ["expert"]


def pdf_upload(name: str = "letter.pdf", text: str = "Payam desk test") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf([text]), content_type="application/pdf")


def png_upload(name: str = "shot.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 90, 160)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def company(**kwargs: object) -> User:
    user = CompanyFactory(**kwargs)
    mailbox_for_user(user=user)
    return user


class RequestFactory(DjangoModelFactory):
    class Meta:
        model = Request

    number = factory.Sequence(lambda n: 5000 + n)
    tracking_code = factory.LazyFunction(lambda: tracking.issue(kind=tracking.TrackingKind.REQUEST))
    kind = "egov_general"
    area = "egov"
    status = RequestStatus.DRAFT
    data = factory.LazyFunction(lambda: {"subject": "اتصال", "description": "شرح"})


def general_draft(user: User, *, area: str = "egov") -> Request:
    """Through the services: a draft with subject, description and the letter."""
    applicant = mailbox_for_user(user=user)
    request = services.request_create(actor=user, applicant=applicant, kind=f"{area}_general")
    services.request_update_data(
        actor=user,
        request=request,
        data={"subject": "درخواست اتصال به سرویس", "description": "شرح کامل درخواست"},
    )
    services.request_attach(
        actor=user, request=request, slot=AttachmentSlot.REQUEST_LETTER, upload=pdf_upload()
    )
    return request
