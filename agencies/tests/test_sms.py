"""/agency/sms/: an agency's SMS from its own sender under 4040 only — to one
mobile or a CSV list, checked and confirmed before anything is queued — and the
lists every member sees (sent with delivery reports, received), 404 to others."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import AliFactory
from agencies.services import (
    AgencyHasNoSender,
    SmsDraftExpired,
    SmsListProblems,
    agency_sms_prepare,
    agency_sms_send,
)
from payam.models import AuditEvent
from sms.constants import SmsKind, SmsStatus
from sms.exceptions import SenderNotAllowed
from sms.models import DeliveryReport, InboundSMS, OutboundSMS
from sms.services import sms_queue

from .factories import AgencyFactory, agency_admin, expert, member

pytestmark = pytest.mark.django_db

SMS, SEND = reverse("agency:sms"), reverse("agency:sms_send")
BODY = "مهلت پرداخت عوارض شما تا پایان آذر است."


def signed_in(user):
    client = Client()
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040555")


@pytest.fixture
def other():
    return AgencyFactory(name="دستگاه دیگر", sender__number="4040666")


@pytest.fixture
def sender(agency):
    return member(agency, Role.AGENCY_SENDER, first_name="سارا", last_name="امینی")


def csv_file(text: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def draft_of(response) -> str:
    return response.context["draft"].draft_id


# --- who ------------------------------------------------------------------------------------


def test_the_sms_page_is_404_to_everyone_outside(agency):
    for user in (AliFactory(), expert()):
        client = signed_in(user)
        assert client.get(SMS).status_code == 404
        assert client.post(SMS, {"body": BODY, "mobile": "09121234567"}).status_code == 404
        assert client.post(SEND, {"draft": uuid.uuid4().hex}).status_code == 404
    assert Client().get(SMS).status_code == 404
    assert not OutboundSMS.objects.exists()


def test_a_reader_sees_the_lists_but_cannot_send(agency):
    reader = member(agency, Role.AGENCY_READER)
    client = signed_in(reader)
    page = client.get(SMS)
    assert page.status_code == 200 and page.context["form"] is None
    html = page.content.decode()
    assert 'data-testid="sms-sent"' in html or 'data-testid="no-sms-sent"' in html
    assert 'data-testid="sms-form"' not in html
    assert client.post(SMS, {"body": BODY, "mobile": "09121234567"}).status_code == 404
    assert client.post(SEND, {"draft": uuid.uuid4().hex}).status_code == 404
    with pytest.raises(PermissionDenied):
        agency_sms_prepare(actor=reader, agency=agency, body=BODY, mobile="09121234567")


def test_the_desk_links_the_sms_page_for_every_member(agency, sender):
    html = signed_in(sender).get(reverse("agency:home")).content.decode()
    assert f'href="{SMS}"' in html and "پیامک" in html


# --- one mobile -----------------------------------------------------------------------------


def test_a_sender_confirms_then_sends_to_one_mobile_from_the_agencys_number(agency, sender):
    client = signed_in(sender)
    response = client.post(SMS, {"body": BODY, "mobile": "۰۹۱۲۱۲۳۴۵۶۷"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="sms-confirm"' in html and "۴۰۴۰۵۵۵" in html and "۱ بخش" in html
    assert "۰۹۱۲۱۲۳۴۵۶۷" in html and BODY in html
    assert not OutboundSMS.objects.exists()  # nothing before the confirmation
    done = client.post(SEND, {"draft": draft_of(response)}, follow=True)
    assert "در صف ارسال" in done.content.decode()
    sms = OutboundSMS.objects.get()
    assert sms.sender == agency.sender and sms.recipient == "+989121234567"
    assert sms.kind == SmsKind.NOTIFICATION and sms.body == BODY
    event = AuditEvent.objects.get(action="agency.sms_send")
    assert event.actor == sender and event.target_id == str(agency.pk)
    assert event.data["sender"] == "4040555" and event.data["queued"] == 1
    # A second click on the same confirmation queues nothing more.
    again = client.post(SEND, {"draft": draft_of(response)}, follow=True)
    assert "دوباره آماده کنید" in again.content.decode()
    assert OutboundSMS.objects.count() == 1


def test_a_posted_sender_is_ignored_the_agencys_own_is_used(agency, other, sender):
    client = signed_in(sender)
    response = client.post(
        SMS,
        {"body": BODY, "mobile": "09121234567", "sender": "4040666", "sender_number": "4040666"},
    )
    client.post(SEND, {"draft": draft_of(response), "sender": "4040666"})
    assert OutboundSMS.objects.get().sender == agency.sender
    assert not OutboundSMS.objects.filter(sender=other.sender).exists()


def test_sms_services_refuse_a_sender_that_is_not_registered(agency, sender):
    with pytest.raises(SenderNotAllowed):
        sms_queue(sender="4040999", to="09121234567", body=BODY, kind=SmsKind.NOTIFICATION)
    with pytest.raises(SenderNotAllowed):
        sms_queue(sender="30004444", to="09121234567", body=BODY, kind=SmsKind.NOTIFICATION)
    assert not OutboundSMS.objects.exists()
    assert AuditEvent.objects.filter(action="sms.sender_refused").count() == 2


def test_a_member_of_another_agency_cannot_send_as_this_one(agency, other):
    stranger = agency_admin(other)
    with pytest.raises(PermissionDenied):
        agency_sms_prepare(actor=stranger, agency=agency, body=BODY, mobile="09121234567")
    mine = agency_sms_prepare(
        actor=member(agency, Role.AGENCY_SENDER), agency=agency, body=BODY, mobile="09121234567"
    )
    with pytest.raises(PermissionDenied):
        agency_sms_send(actor=stranger, agency=agency, draft_id=mine.draft_id)
    # Nor with its own agency: the draft belongs to another member and agency.
    with pytest.raises(SmsDraftExpired):
        agency_sms_send(actor=stranger, agency=other, draft_id=mine.draft_id)
    assert not OutboundSMS.objects.exists()


def test_another_members_draft_is_no_draft(agency, sender):
    draft = agency_sms_prepare(actor=sender, agency=agency, body=BODY, mobile="09121234567")
    colleague = member(agency, Role.AGENCY_SENDER)
    with pytest.raises(SmsDraftExpired):
        agency_sms_send(actor=colleague, agency=agency, draft_id=draft.draft_id)
    with pytest.raises(SmsDraftExpired):
        agency_sms_send(actor=sender, agency=agency, draft_id="../../etc")
    assert agency_sms_send(actor=sender, agency=agency, draft_id=draft.draft_id).count == 1


def test_an_agency_without_an_active_sender_cannot_send(agency, sender):
    agency.sender.is_active = False
    agency.sender.save()
    with pytest.raises(AgencyHasNoSender):
        agency_sms_prepare(actor=sender, agency=agency, body=BODY, mobile="09121234567")
    response = signed_in(sender).post(SMS, {"body": BODY, "mobile": "09121234567"})
    assert "سرشماره‌ی فعالی" in response.content.decode()
    assert not OutboundSMS.objects.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"body": BODY}, "شماره‌ی همراه گیرنده را بنویسید یا فهرست"),
        ({"body": BODY, "mobile": "0212345678"}, "شماره همراه معتبر نیست"),
        ({"body": "", "mobile": "09121234567"}, "متن پیامک را بنویسید"),
        ({"body": "ب" * 600, "mobile": "09121234567"}, "کوتاه‌تر کنید"),
    ],
)
def test_bad_input_is_named_and_nothing_is_queued(agency, sender, data, error):
    response = signed_in(sender).post(SMS, data)
    assert response.status_code == 200 and error in response.content.decode()
    assert 'data-testid="sms-confirm"' not in response.content.decode()
    assert not OutboundSMS.objects.exists()


def test_both_a_mobile_and_a_list_is_refused(agency, sender):
    response = signed_in(sender).post(
        SMS, {"body": BODY, "mobile": "09121234567", "recipients_file": csv_file("mobile\n0912\n")}
    )
    assert "نه هر دو" in response.content.decode()


def test_the_confirmation_counts_the_parts_of_a_long_body(agency, sender):
    body = "ب" * 150  # Persian: 67 characters a part when split
    response = signed_in(sender).post(SMS, {"body": body, "mobile": "09121234567"})
    assert response.context["draft"].parts == 3
    assert "۳ بخش" in response.content.decode()


# --- a list ---------------------------------------------------------------------------------


def test_a_csv_list_is_confirmed_with_its_count_then_queued_in_bulk(agency, sender):
    client = signed_in(sender)
    upload = csv_file("نام,موبایل\nعلی,09121234567\nمریم,9351112233\n\nرضا,+989127654321\n")
    response = client.post(SMS, {"body": BODY, "recipients_file": upload})
    assert response.context["draft"].count == 3
    assert "۳ شماره از فهرست" in response.content.decode()
    assert response.context["draft"].total_parts == 3
    assert not OutboundSMS.objects.exists()
    client.post(SEND, {"draft": draft_of(response)})
    rows = OutboundSMS.objects.order_by("recipient")
    assert [r.recipient for r in rows] == ["+989121234567", "+989127654321", "+989351112233"]
    assert {r.sender_id for r in rows} == {agency.sender_id}
    assert {r.kind for r in rows} == {SmsKind.BULK} and len({r.batch_id for r in rows}) == 1
    assert AuditEvent.objects.get(action="agency.sms_send").data["recipients"] == 3
    assert AuditEvent.objects.filter(action="sms.bulk_queue", actor=sender).exists()


def test_every_problem_of_a_list_is_shown_with_its_line_and_nothing_queued(agency, sender):
    upload = csv_file(
        "mobile,name\n"  # 1
        "09121234567,a\n"  # 2
        "0912,b\n"  # 3 bad
        ",c\n"  # 4 empty
        "+989121234567,d\n"  # 5 repeated (line 2)
        "09351112233\n"  # 6 a cell short
    )
    response = signed_in(sender).post(SMS, {"body": BODY, "recipients_file": upload})
    assert [p.line for p in response.context["problems"]] == [3, 4, 5, 6]
    html = response.content.decode()
    assert 'data-testid="sms-list-problems"' in html and "پیش‌تر در سطر ۲" in html
    assert "هیچ پیامکی در صف گذاشته نشد" in html
    assert not OutboundSMS.objects.exists()
    with pytest.raises(SmsListProblems) as caught:
        agency_sms_prepare(
            actor=sender, agency=agency, body=BODY, csv_data=b"mobile\n09121234567\n0912\n"
        )
    assert [p.line for p in caught.value.problems] == [3]


def test_a_list_without_a_mobile_column_or_not_a_csv_is_refused(agency, sender):
    client = signed_in(sender)
    response = client.post(
        SMS, {"body": BODY, "recipients_file": csv_file("national_code\n0012345679\n")}
    )
    assert "ستون گیرنده پیدا نشد" in response.content.decode()
    png = SimpleUploadedFile("list.csv", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="text/csv")
    response = client.post(SMS, {"body": BODY, "recipients_file": png})
    assert "متنی نیست" in response.content.decode()
    assert not OutboundSMS.objects.exists()


@override_settings(CAMPAIGN_CSV_MAX_BYTES=1024 * 1024)
def test_a_list_past_the_size_limit_is_refused_before_it_is_read(agency, sender):
    big = csv_file("mobile\n" + "09121234567\n" * 100_000)
    response = signed_in(sender).post(SMS, {"body": BODY, "recipients_file": big})
    assert "بیشترین اندازه ۱ مگابایت" in response.content.decode()
    assert not OutboundSMS.objects.exists()


# --- the lists ------------------------------------------------------------------------------


def _sent(agency, n=1, **kwargs):
    return [
        OutboundSMS.objects.create(
            sender=agency.sender,
            recipient=kwargs.pop("recipient", f"+98912{i:07d}"),
            body=kwargs.get("body", f"پیام {i}"),
            kind=SmsKind.BULK,
            status=kwargs.get("status", SmsStatus.QUEUED),
        )
        for i in range(n)
    ]


def test_members_see_what_was_sent_masked_with_status_and_report(
    agency, other, django_assert_max_num_queries
):
    reader = member(agency, Role.AGENCY_READER)
    (delivered,) = _sent(agency, recipient="+989121234567", status=SmsStatus.DELIVERED)
    DeliveryReport.objects.create(
        gateway="console", event_id="e1", sms=delivered, status="delivered", applied=True
    )
    _sent(agency, recipient="+989350000001", status=SmsStatus.FAILED)
    _sent(other, body="پیامک دستگاه دیگر", recipient="+989199999999")
    InboundSMS.objects.create(
        sender_number=agency.sender,
        msisdn="+989127654321",
        body="لغو ۱۱",
        gateway="console",
        gateway_message_id="in-1",
        received_at=timezone.now(),
    )
    InboundSMS.objects.create(
        sender_number=other.sender,
        msisdn="+989120000000",
        body="به دیگری",
        gateway="console",
        gateway_message_id="in-2",
    )
    client = signed_in(reader)
    # The session, the member and roles, the agency, two pages of lists and their counts,
    # and the desk navigation's count of unopened incoming letters.
    with django_assert_max_num_queries(14):
        response = client.get(SMS)
    html = response.content.decode()
    assert "۰۹۱۲***۴۵۶۷" in html and "09121234567" not in html and "+989121234567" not in html
    assert "تحویل‌شده" in html and "ناموفق" in html and "هنوز نرسیده" in html
    assert "پیامک دستگاه دیگر" not in html and "۰۹۱۹" not in html
    assert "لغو ۱۱" in html and "۰۹۱۲***۴۳۲۱" in html and "به دیگری" not in html
    page = response.context["page"]
    assert page.sent[1].report_at is not None and page.sent[0].report_at is None


def test_the_lists_are_paged_newest_first(agency, sender):
    rows = _sent(agency, 30)
    client = signed_in(sender)
    first = client.get(SMS).context["page"]
    assert [s.pk for s in first.sent] == [r.pk for r in reversed(rows)][:25]
    assert first.sent_before == rows[5].pk
    second = client.get(SMS, {"sent_before": first.sent_before}).context["page"]
    assert [s.pk for s in second.sent] == [r.pk for r in reversed(rows[:5])]
    assert second.sent_before is None
    assert client.get(SMS, {"sent_before": "abc"}).context["page"].sent_before == rows[5].pk


def test_a_20_mb_list_is_refused_with_its_size(agency, sender):
    row = b"09121234567\n"
    big = SimpleUploadedFile(
        "list.csv", b"mobile\n" + row * (20 * 1024 * 1024 // len(row)), content_type="text/csv"
    )
    response = signed_in(sender).post(SMS, {"body": BODY, "recipients_file": big})
    html = response.content.decode()
    assert "پرونده ۲۰ مگابایت است و بیشترین اندازه ۱۰ مگابایت" in html
    assert not OutboundSMS.objects.exists()
