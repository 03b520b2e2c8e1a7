"""The desk's pages: who may open them, the organization scoping of every URL, a
forged POST on a submitted request, and the whole journey through the pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import AliFactory
from agencies.tests.factories import AgencyFactory, member
from servicedesk import permit, services
from servicedesk.constants import RequestStatus, TicketStatus
from servicedesk.models import Request, RequestAttachment, Ticket

from .factories import company, general_draft, pdf_upload

pytestmark = pytest.mark.django_db
S = RequestStatus


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def expert_client(sara):
    client = Client()
    sign_in_with_second_factor(client, sara)
    return client


def applicant_urls(item: Request, ticket: Ticket) -> list[tuple[str, str]]:
    code = item.tracking_code
    attachment = item.attachments.first()
    assert attachment is not None
    return [
        ("get", reverse("desk:request", args=[code])),
        ("get", reverse("desk:general_edit", args=[code])),
        ("post", reverse("desk:general_edit", args=[code])),
        ("post", reverse("desk:submit", args=[code])),
        ("post", reverse("desk:withdraw", args=[code])),
        ("post", reverse("desk:deficiencies", args=[code])),
        ("post", reverse("desk:message", args=[code])),
        ("get", reverse("desk:attachment", args=[code, attachment.pk])),
        ("post", reverse("desk:detach", args=[code, attachment.pk])),
        ("get", reverse("desk:permit", args=[code])),
        ("get", reverse("desk:ticket_new") + f"?request={code}"),
        ("get", reverse("desk:ticket", args=[ticket.tracking_code])),
        ("post", reverse("desk:ticket_close", args=[ticket.tracking_code])),
    ]


def test_anonymous_goes_to_sign_in_and_a_natural_person_is_told(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302 and "login" in response["Location"]
    ali = signed_in(AliFactory())
    response = ali.get(reverse("desk:home"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "تنها به اشخاص حقوقی" in text and reverse("accounts:register_legal") in text
    assert ali.get(reverse("desk:new")).status_code == 403


def test_every_url_is_404_for_another_organization(firm):
    item = general_draft(firm)
    ticket = services.ticket_open(actor=firm, subject="s", category="other", text="t", request=item)
    other = signed_in(company())
    for method, url in applicant_urls(item, ticket):
        if method == "get":
            response = other.get(url)
        else:
            response = other.post(url, {"confirm": "on", "subject": "x", "fixed": "1"})
        assert response.status_code == 404, url
    item.refresh_from_db()
    assert item.status == S.DRAFT and item.data["subject"] == "درخواست اتصال به سرویس"
    assert item.attachments.count() == 1 and not Ticket.objects.exclude(pk=ticket.pk).exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    missing = signed_in(firm).get(reverse("desk:request", args=["0000000000"]))
    assert missing.status_code == 404


def test_an_agency_member_sees_the_agencys_requests():
    agency = AgencyFactory()
    sender = member(agency, Role.AGENCY_SENDER)
    item = services.request_create(actor=sender, applicant=agency.mailbox, kind="software_general")
    reader = signed_in(member(agency, Role.AGENCY_READER))
    response = reader.get(reverse("desk:home"))
    assert response.status_code == 200 and item.tracking_code in response.content.decode()


def test_a_forged_post_on_a_submitted_request_changes_nothing(firm):
    item = general_draft(firm)
    services.request_submit(actor=firm, request=item)
    client = signed_in(firm)
    url = reverse("desk:general_edit", args=[item.tracking_code])
    response = client.post(url, {"subject": "جعلی", "description": "جعلی"}, follow=True)
    assert "ویرایش نمی‌شود" in response.content.decode()
    attachment = item.attachments.get()
    client.post(reverse("desk:detach", args=[item.tracking_code, attachment.pk]))
    item.refresh_from_db()
    assert item.data["subject"] == "درخواست اتصال به سرویس" and item.attachments.count() == 1


def test_the_list_shows_number_code_date_type_and_status_and_searches(firm):
    first, second = general_draft(firm), general_draft(firm, area="nin")
    client = signed_in(firm)
    page = client.get(reverse("desk:home")).content.decode()
    assert "۱۰۰۰" in page and "۱۰۰۱" in page and first.tracking_code in page
    assert "درخواست عمومی شبکه ملی اطلاعات" in page and "در حال تکمیل اطلاعات" in page
    found = client.get(reverse("desk:home"), {"q": "۱۰۰۱"}).content.decode()
    assert second.tracking_code in found and first.tracking_code not in found


def test_non_experts_get_404_on_the_experts_pages(firm):
    item = general_draft(firm)
    services.request_submit(actor=firm, request=item)
    for user in (firm, AliFactory()):
        client = signed_in(user)
        assert client.get(reverse("review_desk:queue")).status_code == 404
        assert (
            client.get(reverse("review_desk:request", args=[item.tracking_code])).status_code == 404
        )
        response = client.post(
            reverse("review_desk:move", args=[item.tracking_code]),
            {"to": S.IN_REVIEW, "seen": S.SUBMITTED},
        )
        assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == S.SUBMITTED


def test_the_whole_journey_through_the_pages(firm, expert_client):
    client = signed_in(firm)
    # choose the area, then the type, then «بله، ایجاد شود»
    page = client.get(reverse("desk:new"), {"area": "security"}).content.decode()
    assert "درخواست عمومی امنیت سایبری" in page
    confirm = client.post(reverse("desk:new"), {"area": "security", "kind": "security_general"})
    assert "بله، ایجاد شود" in confirm.content.decode() and not Request.objects.exists()
    created = client.post(
        reverse("desk:new"), {"area": "security", "kind": "security_general", "confirm": "yes"}
    )
    item = Request.objects.get()
    assert created["Location"] == reverse("desk:general_edit", args=[item.tracking_code])
    # fill it, with the letter
    edit = reverse("desk:general_edit", args=[item.tracking_code])
    client.post(
        edit,
        {"subject": "آزمون نفوذ", "description": "درخواست ارزیابی", "request_letter": pdf_upload()},
    )
    item.refresh_from_db()
    assert item.data["subject"] == "آزمون نفوذ" and item.attachments.count() == 1
    # submitting needs the confirmation box
    assert client.post(reverse("desk:submit", args=[item.tracking_code])).status_code == 400
    client.post(reverse("desk:submit", args=[item.tracking_code]), {"confirm": "on"})
    item.refresh_from_db()
    assert item.status == S.SUBMITTED

    # the expert: the queue, take it up, send it back deficient
    queue = expert_client.get(reverse("review_desk:queue")).content.decode()
    assert item.tracking_code in queue
    move = reverse("review_desk:move", args=[item.tracking_code])
    expert_client.post(move, {"to": S.IN_REVIEW, "seen": S.SUBMITTED})
    response = expert_client.post(
        move, {"to": S.DEFICIENT, "seen": S.IN_REVIEW, "deficiencies": "امضا ندارد\nمهر ندارد"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == S.DEFICIENT
    # a second expert's stale click is refused with a clear message
    stale = expert_client.post(move, {"to": S.ISSUED, "seen": S.IN_REVIEW})
    assert stale.status_code == 400 and "کارشناس دیگری" in stale.content.decode()

    # the company fixes and ticks both, then sends it again
    page = client.get(reverse("desk:request", args=[item.tracking_code])).content.decode()
    assert "امضا ندارد" in page and 'name="fixed"' in page
    client.post(edit, {"subject": "آزمون نفوذ", "description": "درخواست ارزیابی با امضا"})
    ids = [str(pk) for pk in item.deficiencies.values_list("pk", flat=True)]
    client.post(reverse("desk:deficiencies", args=[item.tracking_code]), {"fixed": ids})
    client.post(reverse("desk:submit", args=[item.tracking_code]), {"confirm": "on"})
    item.refresh_from_db()
    assert item.status == S.SUBMITTED

    # the expert sees what changed, refers it on and issues it
    detail = expert_client.get(reverse("review_desk:request", args=[item.tracking_code]))
    assert "description" in detail.content.decode()
    expert_client.post(move, {"to": S.IN_REVIEW, "seen": S.SUBMITTED})
    expert_client.post(move, {"to": S.WORKING_GROUP, "seen": S.IN_REVIEW})
    expert_client.post(move, {"to": S.ISSUED, "seen": S.WORKING_GROUP, "reason": "تأیید"})
    item.refresh_from_db()
    assert item.status == S.ISSUED

    # the permit, and its check
    pdf = client.get(reverse("desk:permit", args=[item.tracking_code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    code = permit.permit_code(item)
    anonymous = Client()
    ok = anonymous.get(reverse("desk:verify"), {"t": item.tracking_code, "v": code})
    assert 'data-testid="permit-verified"' in ok.content.decode()
    forged = anonymous.get(reverse("desk:verify"), {"t": item.tracking_code, "v": "AAAAAAAA"})
    assert 'data-testid="permit-not-verified"' in forged.content.decode()


def test_a_permit_is_only_for_an_issued_request(firm):
    item = general_draft(firm)
    assert signed_in(firm).get(reverse("desk:permit", args=[item.tracking_code])).status_code == 404


def test_tickets_through_the_pages(firm, expert_client):
    item = general_draft(firm)
    client = signed_in(firm)
    response = client.post(
        reverse("desk:ticket_new"),
        {
            "request": item.tracking_code,
            "subject": "بارگذاری نمی‌شود",
            "category": "technical",
            "priority": "high",
            "text": "پرونده بالا نمی‌رود",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("desk:ticket", args=[ticket.tracking_code])
    assert ticket.request == item
    listing = expert_client.get(reverse("review_desk:tickets")).content.decode()
    assert ticket.tracking_code in listing
    expert_client.post(
        reverse("review_desk:ticket", args=[ticket.tracking_code]), {"text": "درست شد"}
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    page = client.get(reverse("desk:ticket", args=[ticket.tracking_code])).content.decode()
    assert "درست شد" in page
    client.post(reverse("desk:ticket_close", args=[ticket.tracking_code]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    side = client.get(reverse("desk:request", args=[item.tracking_code])).content.decode()
    assert re.search(r"ticket_new|tickets/new/\?request=" + item.tracking_code, side)


def test_the_support_page_links_the_desk_for_organizations(firm):
    page = signed_in(firm).get(reverse("pages:support")).content.decode()
    assert 'data-testid="support-desk"' in page
    assert (
        'data-testid="support-desk"'
        not in signed_in(AliFactory()).get(reverse("pages:support")).content.decode()
    )


def test_attachments_download_only_for_the_owner(firm):
    item = general_draft(firm)
    attachment = RequestAttachment.objects.get(request=item)
    url = reverse("desk:attachment", args=[item.tracking_code, attachment.pk])
    response = signed_in(firm).get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue().startswith(b"%PDF")


def test_the_admin_lists_requests_and_tickets_read_only(admin_client, firm):
    item = general_draft(firm)
    services.ticket_open(actor=firm, subject="s", category="other", text="t", request=item)
    for name in ("request", "ticket"):
        response = admin_client.get(reverse(f"admin:servicedesk_{name}_changelist"))
        assert response.status_code == 200
    assert admin_client.get(reverse("admin:servicedesk_request_add")).status_code == 403
