"""The engine's writes beyond the table: creating, filling and attaching,
deficiencies and resubmission, what changed, one open request per key, notices,
the thread and support tickets."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import LegalPerson
from mailbox.exceptions import AttachmentRefused
from mailbox.services import mailbox_for_user
from payam.models import AuditEvent
from servicedesk import services, types
from servicedesk.constants import RequestStatus, TicketStatus
from servicedesk.exceptions import (
    DeficiencyNotOpen,
    DuplicateOpenRequest,
    EmptyMessage,
    InvalidTransition,
    NotAnExpert,
    NotEditable,
    PdfRequired,
    SubmitBlocked,
    TicketClosed,
    UnknownRequestType,
)
from servicedesk.models import Request, RequestAttachment
from servicedesk.selectors import submission_diff
from sms.models import OutboundSMS

from .factories import company, general_draft, pdf_upload, png_upload

pytestmark = pytest.mark.django_db
S = RequestStatus


def test_numbers_start_at_1000_and_codes_are_tracking_codes(firm):
    first = general_draft(firm)
    second = general_draft(firm, area="security")
    assert (first.number, second.number) == (1000, 1001)
    assert first.tracking_code != second.tracking_code and len(first.tracking_code) == 10
    assert (second.kind, second.area, second.status) == ("security_general", "security", S.DRAFT)
    assert AuditEvent.objects.filter(action="service_request.create").count() == 2


def test_create_refuses_an_unknown_type_and_another_organization(firm):
    with pytest.raises(UnknownRequestType):
        services.request_create(actor=firm, applicant=mailbox_for_user(user=firm), kind="nope")
    other = company()
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=firm, applicant=mailbox_for_user(user=other), kind="egov_general"
        )
    assert not Request.objects.exists()


def test_data_merges_and_a_submitted_request_is_not_editable(firm):
    request = general_draft(firm)
    services.request_update_data(actor=firm, request=request, data={"extra": 1, "subject": None})
    request.refresh_from_db()
    assert request.data == {"description": "شرح کامل درخواست", "extra": 1}
    services.request_update_data(actor=firm, request=request, data={"subject": "موضوع"})
    services.request_submit(actor=firm, request=request)
    with pytest.raises(NotEditable):
        services.request_update_data(actor=firm, request=request, data={"subject": "جعلی"})
    with pytest.raises(NotEditable):
        services.request_attach(actor=firm, request=request, slot="other", upload=png_upload())
    request.refresh_from_db()
    assert request.data["subject"] == "موضوع" and request.attachments.count() == 1


def test_another_organization_cannot_touch_a_request(firm):
    request = general_draft(firm)
    intruder = company()
    with pytest.raises(PermissionDenied):
        services.request_update_data(actor=intruder, request=request, data={"subject": "x"})
    with pytest.raises(PermissionDenied):
        services.request_attach(actor=intruder, request=request, slot="other", upload=png_upload())
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=intruder, request=request)


def test_attachments_are_checked_and_the_letter_replaced(firm, django_capture_on_commit_callbacks):
    request = general_draft(firm)
    with pytest.raises(PdfRequired):
        services.request_attach(
            actor=firm, request=request, slot="request_letter", upload=png_upload()
        )
    renamed = SimpleUploadedFile("photo.pdf", png_upload().read())
    with pytest.raises(AttachmentRefused):
        services.request_attach(actor=firm, request=request, slot="other", upload=renamed)
    first = RequestAttachment.objects.get(request=request, slot="request_letter")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_attach(
            actor=firm, request=request, slot="request_letter", upload=pdf_upload(text="second")
        )
    assert not first.file.storage.exists(first.file.name)  # the replaced file is gone
    services.request_attach(actor=firm, request=request, slot="other", upload=png_upload())
    letters = RequestAttachment.objects.filter(request=request, slot="request_letter")
    assert letters.count() == 1 and RequestAttachment.objects.filter(request=request).count() == 2
    other = RequestAttachment.objects.get(request=request, slot="other")
    services.request_detach(actor=firm, request=request, attachment_id=other.pk)
    assert RequestAttachment.objects.filter(request=request).count() == 1


def test_deficiencies_round_trip_and_what_changed(firm, sara):
    request = general_draft(firm)
    services.request_submit(actor=firm, request=request)
    services.request_transition(actor=sara, request=request, to=S.IN_REVIEW)
    services.request_transition(
        actor=sara,
        request=request,
        to=S.DEFICIENT,
        deficiencies=["نامه امضا ندارد", "", "شرح کوتاه است", "نامه امضا ندارد"],
    )
    request.refresh_from_db()
    assert request.status == S.DEFICIENT and request.round == 1
    items = list(request.deficiencies.order_by("position"))
    assert [d.text for d in items] == ["نامه امضا ندارد", "شرح کوتاه است"]

    services.request_update_data(actor=firm, request=request, data={"description": "شرح بلندتر"})
    services.request_attach(
        actor=firm, request=request, slot="request_letter", upload=pdf_upload(text="signed")
    )
    services.deficiency_mark_fixed(actor=firm, deficiency=items[0], fixed=True)
    with pytest.raises(SubmitBlocked) as refused:
        services.request_submit(actor=firm, request=request)
    assert "۱ نقص" in str(refused.value)
    services.deficiency_mark_fixed(actor=firm, deficiency=items[1], fixed=True)
    services.request_submit(actor=firm, request=request)
    request.refresh_from_db()
    assert request.status == S.SUBMITTED

    diff = submission_diff(request)
    assert diff.compared and diff.changed_keys == ["description"]
    assert [f["name"] for f in diff.added_files] == ["letter.pdf"]
    assert len(diff.removed_files) == 1
    with pytest.raises(DeficiencyNotOpen):  # ticking is over once it was sent again
        services.deficiency_mark_fixed(actor=firm, deficiency=items[0], fixed=False)


def test_only_experts_are_assigned(firm, sara, omid):
    request = general_draft(firm)
    with pytest.raises(InvalidTransition):  # a draft is not the experts' yet
        services.request_assign(actor=sara, request=request, expert=omid)
    services.request_submit(actor=firm, request=request)
    with pytest.raises(NotAnExpert):
        services.request_assign(actor=sara, request=request, expert=firm)
    services.request_assign(actor=sara, request=request, expert=omid)
    request.refresh_from_db()
    assert request.assigned_to == omid


def _service_key(request: Request) -> str:
    return str(request.data.get("service", ""))


KEYED = types.register(
    types.RequestType(
        code="test_keyed",
        area="egov",
        label="آزمون",
        edit_url_name="desk:home",
        summary_template="servicedesk/general/_summary.html",
        validate_submit=lambda request: [],
        one_open_per=_service_key,
    )
)


def test_one_open_request_per_key(firm):
    applicant = mailbox_for_user(user=firm)
    first, second, third = (
        services.request_create(actor=firm, applicant=applicant, kind="test_keyed")
        for _ in range(3)
    )
    for request, service in ((first, "shahkar"), (second, "shahkar"), (third, "gnaf")):
        services.request_update_data(actor=firm, request=request, data={"service": service})
    services.request_submit(actor=firm, request=first)
    with pytest.raises(DuplicateOpenRequest) as refused:
        services.request_submit(actor=firm, request=second)
    assert "۱۰۰۰" in str(refused.value)
    services.request_submit(actor=firm, request=third)  # another service: its own request
    services.request_withdraw(actor=firm, request=first)
    services.request_submit(actor=firm, request=second)
    second.refresh_from_db()
    assert second.status == S.SUBMITTED and second.open_key == "shahkar"


def test_every_move_tells_the_company_once_by_sms_and_email(
    firm, sara, django_capture_on_commit_callbacks
):
    profile = LegalPerson.objects.get(user=firm)
    profile.email, profile.notify_by_email = "it@example.com", True
    profile.email_verified_at = profile.created_at
    profile.save()
    request = general_draft(firm)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(actor=firm, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(actor=sara, request=request, to=S.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(
            actor=sara, request=request, to=S.REJECTED, reason="خارج از حوزه"
        )
    sent = OutboundSMS.objects.filter(recipient=profile.mobile).order_by("pk")
    assert sent.count() == 3
    last = sent.last()
    assert last is not None
    assert "خارج از حوزه" in last.body and request.tracking_code in last.body
    assert [m.to for m in mail.outbox] == [["it@example.com"]] * 3


def test_the_message_thread(firm, sara):
    request = general_draft(firm)
    with pytest.raises(InvalidTransition):
        services.request_message_post(actor=firm, request=request, text="سلام")
    services.request_submit(actor=firm, request=request)
    with pytest.raises(EmptyMessage):
        services.request_message_post(actor=firm, request=request, text="  ")
    services.request_message_post(actor=firm, request=request, text="پرسش", uploads=[pdf_upload()])
    answer = services.request_message_post(actor=sara, request=request, text="پاسخ")
    assert answer.from_expert
    with pytest.raises(PermissionDenied):
        services.request_message_post(actor=company(), request=request, text="فضولی")
    assert request.messages.count() == 2
    assert request.attachments.filter(slot="message").count() == 1


def test_tickets_open_answer_close(firm, sara):
    request = general_draft(firm)
    ticket = services.ticket_open(
        actor=firm,
        subject="خطای بارگذاری",
        category="technical",
        text="پرونده بالا نمی‌رود",
        request=request,
        uploads=[png_upload()],
    )
    assert ticket.status == TicketStatus.OPEN and len(ticket.tracking_code) == 10
    services.ticket_reply(actor=sara, ticket=ticket, text="دوباره امتحان کنید")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    services.ticket_reply(actor=firm, ticket=ticket, text="درست شد؟ نه")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=company(), ticket=ticket, text="x")
    services.ticket_close(actor=firm, ticket=ticket)
    with pytest.raises(TicketClosed):
        services.ticket_reply(actor=sara, ticket=ticket, text="دیر")
    assert ticket.messages.count() == 3


def test_a_ticket_about_another_organizations_request_is_refused(firm):
    request = general_draft(company())
    with pytest.raises(PermissionDenied):
        services.ticket_open(actor=firm, subject="x", category="other", text="y", request=request)
