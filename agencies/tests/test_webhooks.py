"""Agencies' webhooks: the outbox row in the transaction of what caused it, the
signed POST to a real receiver on a local port, retries with backoff, dead after
24 hours, «ارسال دوباره», the SSRF guard at registration and at send, one
`letter.delivered` per letter, the panel for admins only, and the audit rows."""

import json
import re
import socket
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import ALI, AliFactory, unused_national_codes
from agencies import webhook_signature, webhook_url
from agencies.constants import (
    WEBHOOK_BACKOFF_FIRST_SECONDS,
    WEBHOOK_RETRY_HOURS,
    WebhookEventType,
    WebhookStatus,
)
from agencies.exceptions import WebhookNotResendable, WebhookUrlRefused
from agencies.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from agencies.services import webhooks
from agencies.services.webhooks import (
    webhook_deliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_new_secret,
    webhook_endpoint_set_active,
    webhook_event_resend,
    webhooks_due,
)
from agencies.webhook_receiver import ReceiverServer, start_in_thread
from mailbox.constants import LetterCategory
from mailbox.models import Delivery
from mailbox.services import delivery_mark_read, letter_fanout, letter_reply, letter_send
from mailbox.tests.conftest import activate, fresh
from payam.models import AuditEvent
from sms.constants import SmsKind, SmsStatus
from sms.models import OutboundSMS
from sms.services import delivery_report_apply

from .factories import AgencyFactory, agency_admin, member

pytestmark = pytest.mark.django_db

ALL_EVENTS = list(WebhookEventType.values)
DOCS = Path(django_settings.BASE_DIR) / "docs" / "webhooks.md"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver():
    server = ReceiverServer(0, "placeholder")
    start_in_thread(server)
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040557")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


@pytest.fixture
def ali():
    return fresh(activate(AliFactory()))


def register(agency, admin, receiver, events=ALL_EVENTS):
    issued = webhook_endpoint_create(actor=admin, agency=agency, url=receiver.url, events=events)
    receiver.secret = issued.secret
    return issued.endpoint


def send_to(agency, admin, recipients, **kwargs):
    return letter_send(
        actor=admin,
        sender=agency.mailbox,
        recipients=recipients,
        subject=kwargs.pop("subject", "ابلاغ"),
        body="متن نامه",
        category=LetterCategory.NOTICE,
        reply_allowed=True,
        **kwargs,
    )


def read(ali, letter):
    delivery = Delivery.objects.select_related("letter", "recipient").get(
        letter=letter, recipient__owner=ali
    )
    return delivery_mark_read(actor=ali, delivery=delivery)


# --- the outbox row and the signed POST -------------------------------------------------


def test_a_first_read_posts_letter_read_signed_to_a_real_receiver(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    endpoint = register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    letter = send_to(agency, admin, [ALI])
    assert not WebhookEvent.objects.exists()  # not subscribed to letter.delivered

    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)
    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)  # a second open is not a first read: nothing more

    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.DELIVERED and event.attempts == 1
    assert event.endpoint == endpoint and event.last_status_code == 200
    [got] = receiver.received
    assert got.signature_valid and got.event == "letter.read"
    assert got.delivery == str(event.event_id)
    body = got.json()
    assert body["type"] == "letter.read" and body["id"] == str(event.event_id)
    assert body["data"]["tracking_code"] == letter.tracking_code
    assert body["data"]["recipient"] == {"kind": "natural", "identifier": ALI}
    assert body["data"]["read_by"] == "owner" and body["data"]["read_at"].endswith("Z")
    assert body["data"]["campaign_code"] is None
    # the documented snippet, with the header exactly as sent
    assert re.fullmatch(r"v1=[0-9a-f]{64}", got.headers["Payam-Signature"])
    assert webhook_signature.verify_signature(
        receiver.secret, got.body, got.timestamp, got.headers["Payam-Signature"]
    )
    assert not webhook_signature.verify_signature(
        "whsec_wrong", got.body, got.timestamp, got.headers["Payam-Signature"]
    )
    assert not webhook_signature.verify_signature(
        receiver.secret, got.body + b" ", got.timestamp, got.headers["Payam-Signature"]
    )
    old = str(int(got.timestamp) - 301)
    assert not webhook_signature.verify_signature(
        receiver.secret, got.body, old, webhook_signature.sign(receiver.secret, int(old), got.body)
    )
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200 and attempt.url == receiver.url


def test_a_rolled_back_read_leaves_no_outbox_row(agency, admin, ali, receiver):
    register(agency, admin, receiver)
    letter = send_to(agency, admin, [ALI])
    before = WebhookEvent.objects.count()  # letter.delivered
    with pytest.raises(RuntimeError), transaction.atomic():
        read(ali, letter)
        assert WebhookEvent.objects.filter(event_type="letter.read").count() == 1
        raise RuntimeError("the request failed after the read")
    assert WebhookEvent.objects.count() == before
    assert not Delivery.objects.filter(letter=letter, first_read_at__isnull=False).exists()


def test_the_documented_snippet_is_the_verification_function(receiver):
    text = DOCS.read_text(encoding="utf-8")
    source = Path(webhook_signature.__file__).read_text(encoding="utf-8")
    function = source.split("# --- verify_signature: copied as is into docs/webhooks.md")[1]
    function = function.split("\n", 1)[1].strip()
    assert function in text
    snippet = text.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102
    body, stamp = b'{"a":1}', "1700000000"
    header = webhook_signature.sign("s3cret", 1700000000, body)
    assert namespace["verify_signature"]("s3cret", body, stamp, header, now=1700000010)
    assert not namespace["verify_signature"]("other", body, stamp, header, now=1700000010)


def test_no_endpoint_no_row_and_the_lookup_is_cached(agency, admin, ali, django_assert_num_queries):
    letter = send_to(agency, admin, [ALI])
    assert not WebhookEvent.objects.exists()
    assert webhooks.subscriptions_of_mailbox(agency.mailbox_id) == []
    with django_assert_num_queries(0):
        assert webhooks.subscriptions_of_mailbox(agency.mailbox_id) == []
    read(ali, letter)
    assert not WebhookEvent.objects.exists()


def test_a_stale_cached_subscription_makes_no_row_and_no_error(agency, admin, ali, receiver):
    endpoint = register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    assert webhooks.subscriptions_of_mailbox(agency.mailbox_id)  # cached: subscribed
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()  # the cache is not told
    assert webhooks.subscriptions_of_mailbox(agency.mailbox_id)  # still says so
    read(ali, send_to(agency, admin, [ALI]))
    assert not WebhookEvent.objects.exists()


def test_an_endpoint_off_or_not_subscribed_gets_no_row(agency, admin, ali, receiver):
    endpoint = register(agency, admin, receiver, events=[WebhookEventType.SMS_DELIVERED])
    letter = send_to(agency, admin, [ALI])
    read(ali, letter)
    assert not WebhookEvent.objects.exists()
    webhook_endpoint_set_active(actor=admin, agency=agency, endpoint_id=endpoint.pk, active=False)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(events=ALL_EVENTS)
    cache.clear()
    send_to(agency, admin, [ALI])
    assert not WebhookEvent.objects.exists()


# --- retries, dead, send again ------------------------------------------------------------


def test_a_500_is_retried_with_backoff_then_dead_after_24_hours_then_sent_again(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    receiver.status = 500
    letter = send_to(agency, admin, [ALI])
    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)
    event = WebhookEvent.objects.get()
    first = event.last_attempt_at
    assert first is not None
    assert event.status == WebhookStatus.PENDING and event.attempts == 1
    assert event.last_status_code == 500 and "HTTP 500" in event.last_error
    wait = (event.next_attempt_at - first).total_seconds()
    assert 0.9 * WEBHOOK_BACKOFF_FIRST_SECONDS <= wait <= 1.1 * WEBHOOK_BACKOFF_FIRST_SECONDS
    assert receiver.received[0].signature_valid

    # not due yet: the task and the sweep do nothing
    assert webhook_deliver(event_pk=event.pk) == "skipped"
    assert webhooks_due() == 0

    # the sweep queues it when its time comes; the second wait is about twice the first
    later = event.next_attempt_at + timedelta(seconds=1)
    assert webhook_deliver(event_pk=event.pk, now=later) == WebhookStatus.PENDING
    event.refresh_from_db()
    assert event.attempts == 2
    assert event.last_attempt_at is not None
    second = (event.next_attempt_at - event.last_attempt_at).total_seconds()
    assert 1.8 * WEBHOOK_BACKOFF_FIRST_SECONDS <= second <= 2.2 * WEBHOOK_BACKOFF_FIRST_SECONDS

    # past give_up_at (24 hours after the event), the next failure is dead
    WebhookEvent.objects.filter(pk=event.pk).update(
        give_up_at=timezone.now() - timedelta(seconds=1),
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    assert webhooks_due() == 1  # queued (eagerly run): fails once more, then dead
    event.refresh_from_db()
    assert event.status == WebhookStatus.DEAD and event.attempts == 3
    assert WebhookAttempt.objects.filter(event=event).count() == 3
    assert webhooks_due() == 0

    # «ارسال دوباره»: the receiver is fixed; one more POST, delivered
    receiver.status = 204
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_resend(actor=admin, agency=agency, event_id=event.event_id)
    event.refresh_from_db()
    assert event.status == WebhookStatus.DELIVERED and event.attempts == 4
    assert event.give_up_at > timezone.now() + timedelta(hours=WEBHOOK_RETRY_HOURS - 1)
    assert len(receiver.received) == 4 and all(r.signature_valid for r in receiver.received)
    assert len({r.delivery for r in receiver.received}) == 1  # one event id throughout
    with pytest.raises(WebhookNotResendable):
        webhook_event_resend(actor=admin, agency=agency, event_id=event.event_id)
    assert AuditEvent.objects.filter(action="agency.webhook_resend").count() == 1


def test_the_retry_window_is_24_hours(agency, admin, ali, receiver):
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    letter = send_to(agency, admin, [ALI])
    read(ali, letter)
    event = WebhookEvent.objects.get()
    assert event.give_up_at - event.created_at == timedelta(hours=24)


def test_a_receiver_that_times_out_is_retried(
    agency, admin, ali, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "READ_TIMEOUT", 0.3)
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    receiver.delay = 5  # released when the test ends
    letter = send_to(agency, admin, [ALI])
    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.PENDING and event.attempts == 1
    assert event.last_status_code is None and "timeout" in event.last_error
    assert event.next_attempt_at > timezone.now()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error == event.last_error


def test_a_receiver_that_is_down_is_retried_and_nothing_is_lost(
    agency, admin, ali, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook_endpoint_create(
        actor=admin,
        agency=agency,
        url=f"http://127.0.0.1:{port}/hook",
        events=[WebhookEventType.LETTER_READ],
    )
    letter = send_to(agency, admin, [ALI])
    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.PENDING and "ConnectionError" in event.last_error
    assert Delivery.objects.get(letter=letter).first_read_at is not None  # the read stands


def test_one_agencys_failing_receiver_does_not_touch_anothers(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    other = AgencyFactory(name="سازمان دیگر", sender__number="4040558")
    other_admin = agency_admin(other)
    good = ReceiverServer(0, "x")
    start_in_thread(good)
    try:
        register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
        receiver.status = 500
        register(other, other_admin, good, events=[WebhookEventType.LETTER_READ])
        mine = send_to(agency, admin, [ALI])
        theirs = send_to(other, other_admin, [ALI])
        with django_capture_on_commit_callbacks(execute=True):
            read(ali, mine)
        with django_capture_on_commit_callbacks(execute=True):
            read(ali, theirs)
    finally:
        good.shutdown()
        good.server_close()
    failing = WebhookEvent.objects.get(agency=agency)
    fine = WebhookEvent.objects.get(agency=other)
    assert failing.status == WebhookStatus.PENDING and fine.status == WebhookStatus.DELIVERED
    assert [r.json()["data"]["tracking_code"] for r in good.received] == [theirs.tracking_code]
    assert [r.json()["data"]["tracking_code"] for r in receiver.received] == [mine.tracking_code]


def test_a_claimed_event_is_not_sent_twice(agency, admin, ali, receiver):
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    letter = send_to(agency, admin, [ALI])
    read(ali, letter)  # no commit callbacks run: the event waits
    event = WebhookEvent.objects.get()
    assert webhook_deliver(event_pk=event.pk) == WebhookStatus.DELIVERED
    assert webhook_deliver(event_pk=event.pk) == "skipped"
    assert len(receiver.received) == 1


# --- the SSRF guard -----------------------------------------------------------------------


@pytest.fixture
def production_urls(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


def fake_dns(monkeypatch, addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(webhook_url.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://oa.example.ir/hook",  # not https
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://user:pw@oa.example.ir/hook",
        "ftp://oa.example.ir/",
        "https:///nohost",
    ],
)
def test_registration_refuses_what_is_not_a_public_https_address(
    agency, admin, production_urls, monkeypatch, url
):
    fake_dns(monkeypatch, ["93.184.216.34"])
    with pytest.raises(WebhookUrlRefused):
        webhook_endpoint_create(actor=admin, agency=agency, url=url, events=ALL_EVENTS)
    assert not WebhookEndpoint.objects.exists()


def test_a_hostname_resolving_to_a_private_address_is_refused(
    agency, admin, production_urls, monkeypatch
):
    fake_dns(monkeypatch, ["93.184.216.34", "10.0.0.7"])  # every address must be public
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_endpoint_create(
            actor=admin, agency=agency, url="https://oa.example.ir/hook", events=ALL_EVENTS
        )
    assert "شبکه‌ی داخلی" in str(refused.value)
    fake_dns(monkeypatch, ["93.184.216.34"])
    issued = webhook_endpoint_create(
        actor=admin, agency=agency, url="https://oa.example.ir/hook", events=ALL_EVENTS
    )
    assert issued.endpoint.url == "https://oa.example.ir/hook"


def test_the_address_is_checked_again_before_each_post(
    agency, admin, ali, receiver, settings, monkeypatch
):
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    letter = send_to(agency, admin, [ALI])
    read(ali, letter)
    event = WebhookEvent.objects.get()
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # production: http://127.0.0.1 is refused
    webhook_deliver(event_pk=event.pk)
    event.refresh_from_db()
    assert event.status == WebhookStatus.PENDING and event.attempts == 1
    assert "https" in event.last_error and not receiver.received


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused_on_connect(
    receiver, production_urls
):
    """The check passed (a public address), the connection reached 127.0.0.1:
    the guarded session refuses before sending a byte."""
    import requests

    with pytest.raises(requests.ConnectionError, match="refused address 127.0.0.1"):
        webhook_url.guarded_session().post(receiver.url, data=b"{}", timeout=2)
    assert not receiver.received


# --- which events, how many ---------------------------------------------------------------


def test_a_fanned_out_letter_makes_one_delivered_event(
    agency, admin, ali, receiver, settings, django_capture_on_commit_callbacks
):
    settings.LETTER_INLINE_RECIPIENTS = 3
    settings.LETTER_FANOUT_CHUNK = 4
    register(agency, admin, receiver, events=[WebhookEventType.LETTER_DELIVERED])
    codes = [ALI, *unused_national_codes(11)]
    with django_capture_on_commit_callbacks(execute=False):
        letter = send_to(agency, admin, codes)
    assert not WebhookEvent.objects.exists()  # not delivered yet
    with django_capture_on_commit_callbacks(execute=True):
        letter_fanout(letter_id=letter.pk)
    with django_capture_on_commit_callbacks(execute=True):
        letter_fanout(letter_id=letter.pk)  # a duplicate task: nothing more
    event = WebhookEvent.objects.get()
    assert event.event_type == "letter.delivered" and event.status == WebhookStatus.DELIVERED
    assert event.payload["recipients"] == 12 and event.payload["delivered"] == 12
    assert receiver.received[0].json()["data"]["tracking_code"] == letter.tracking_code


def test_a_campaigns_letter_names_its_campaign(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    from agencies.services.campaigns import campaign_confirm, campaign_create

    register(agency, admin, receiver, events=[WebhookEventType.LETTER_DELIVERED])
    campaign = campaign_create(
        actor=admin,
        agency=agency,
        subject="قبض",
        body="متن",
        category=LetterCategory.INVOICE,
        recipients=[ALI],
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_confirm(actor=admin, campaign=campaign)
    campaign.refresh_from_db()
    event = WebhookEvent.objects.get()
    assert event.payload["campaign_code"] == campaign.code
    assert campaign.letter is not None
    assert event.payload["tracking_code"] == campaign.letter.tracking_code
    assert receiver.received[0].json()["data"]["campaign_code"] == campaign.code


def test_a_reply_makes_letter_replied_and_incoming_letter_received(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    register(
        agency,
        admin,
        receiver,
        events=[WebhookEventType.LETTER_REPLIED, WebhookEventType.INCOMING_RECEIVED],
    )
    letter = send_to(agency, admin, [ALI])
    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)
    with django_capture_on_commit_callbacks(execute=True):
        reply = letter_reply(actor=ali, delivery=delivery, text="پاسخ من")
    kinds = sorted(WebhookEvent.objects.values_list("event_type", flat=True))
    assert kinds == ["incoming_letter.received", "letter.replied"]
    replied = WebhookEvent.objects.get(event_type="letter.replied").payload
    assert replied["tracking_code"] == letter.tracking_code
    assert replied["reply"]["tracking_code"] == reply.tracking_code
    assert replied["from"] == {"kind": "natural", "identifier": ALI}
    incoming = WebhookEvent.objects.get(event_type="incoming_letter.received").payload
    assert incoming["in_reply_to"] == letter.tracking_code
    assert len(receiver.received) == 2 and all(r.signature_valid for r in receiver.received)


def test_a_person_writing_to_the_agency_makes_incoming_letter_received(
    agency, admin, ali, receiver
):
    from mailbox.services import letter_write

    register(agency, admin, receiver, events=[WebhookEventType.INCOMING_RECEIVED])
    agency.mailbox.accepts_letters = True
    agency.mailbox.save()
    letter = letter_write(actor=ali, to=agency.mailbox, subject="درخواست", text="متن")
    event = WebhookEvent.objects.get()
    assert event.payload["tracking_code"] == letter.tracking_code
    assert event.payload["in_reply_to"] is None and event.payload["from"]["identifier"] == ALI
    # another agency's mailbox got nothing
    assert event.agency_id == agency.pk


def test_an_sms_delivery_report_makes_sms_delivered(agency, admin, receiver):
    register(agency, admin, receiver, events=[WebhookEventType.SMS_DELIVERED])
    sms = OutboundSMS.objects.create(
        sender=agency.sender,
        recipient="+989121234567",
        body="سلام",
        kind=SmsKind.NOTIFICATION,
        status=SmsStatus.SENT,
        sent_at=timezone.now(),
        idempotency_key="oa-42",
    )
    delivery_report_apply(gateway="console", event_id="e1", sms_id=sms.pk, status=SmsStatus.SENT)
    assert not WebhookEvent.objects.exists()
    delivery_report_apply(
        gateway="console", event_id="e2", sms_id=sms.pk, status=SmsStatus.DELIVERED
    )
    delivery_report_apply(
        gateway="console", event_id="e2", sms_id=sms.pk, status=SmsStatus.DELIVERED
    )  # a replayed report
    event = WebhookEvent.objects.get()
    assert event.event_type == "sms.delivered"
    assert event.payload["recipient"] == "0912***4567"
    assert event.payload["idempotency_key"] == "oa-42" and event.payload["delivered_at"]


# --- the endpoints' life and the audit ----------------------------------------------------


def test_endpoint_changes_are_audited_without_the_secret(agency, admin, receiver):
    endpoint = register(agency, admin, receiver)
    first = receiver.secret
    assert first.startswith("whsec_") and len(first) > 40
    renewed = webhook_endpoint_new_secret(actor=admin, agency=agency, endpoint_id=endpoint.pk)
    assert renewed.secret != first
    webhook_endpoint_set_active(actor=admin, agency=agency, endpoint_id=endpoint.pk, active=False)
    webhook_endpoint_set_active(actor=admin, agency=agency, endpoint_id=endpoint.pk, active=True)
    webhook_endpoint_delete(actor=admin, agency=agency, endpoint_id=endpoint.pk)
    actions = list(
        AuditEvent.objects.filter(action__startswith="agency.webhook").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        [
            "agency.webhook_create",
            "agency.webhook_secret",
            "agency.webhook_off",
            "agency.webhook_on",
            "agency.webhook_delete",
        ]
    )
    dumped = json.dumps(list(AuditEvent.objects.values("data")), ensure_ascii=False)
    assert first not in dumped and renewed.secret not in dumped
    assert not WebhookEndpoint.objects.exists()


def test_removing_an_endpoint_gives_up_its_waiting_events(agency, admin, ali, receiver):
    endpoint = register(agency, admin, receiver, events=[WebhookEventType.LETTER_READ])
    read(ali, send_to(agency, admin, [ALI]))
    webhook_endpoint_delete(actor=admin, agency=agency, endpoint_id=endpoint.pk)
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.DEAD and event.endpoint is None
    with pytest.raises(WebhookNotResendable):
        webhook_event_resend(actor=admin, agency=agency, event_id=event.event_id)


def test_only_the_agencys_admin_manages_its_endpoints(agency, admin, receiver):
    from django.core.exceptions import PermissionDenied

    sender = member(agency, Role.AGENCY_SENDER)
    other_admin = agency_admin(AgencyFactory())
    for actor in (sender, other_admin):
        with pytest.raises(PermissionDenied):
            webhook_endpoint_create(actor=actor, agency=agency, url=receiver.url, events=ALL_EVENTS)
    endpoint = register(agency, admin, receiver)
    with pytest.raises(PermissionDenied):
        webhook_endpoint_delete(actor=other_admin, agency=agency, endpoint_id=endpoint.pk)


# --- the panel ----------------------------------------------------------------------------


def signed_in(user):
    from accounts.testing import sign_in_with_second_factor

    client = Client()
    sign_in_with_second_factor(client, user)
    return client


def test_the_panel_registers_shows_the_secret_once_and_sends_again(
    agency, admin, ali, receiver, django_capture_on_commit_callbacks
):
    client = signed_in(admin)
    page = client.get("/agency/webhooks/")
    assert page.status_code == 200 and "/agency/webhooks/" in page.content.decode()
    refused = client.post("/agency/webhooks/", {"url": "", "events": []})
    assert refused.status_code == 200 and not WebhookEndpoint.objects.exists()
    assert "نشانی را بنویسید" in refused.content.decode()
    made = client.post(
        "/agency/webhooks/", {"url": receiver.url, "events": [WebhookEventType.LETTER_READ]}
    )
    html = made.content.decode()
    secret = html.split('data-testid="webhook-secret"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert secret == WebhookEndpoint.objects.get().secret
    assert made["Cache-Control"] == "no-store"
    assert secret not in client.get("/agency/webhooks/").content.decode()  # shown once
    receiver.secret = secret

    receiver.status = 500
    letter = send_to(agency, admin, [ALI])
    with django_capture_on_commit_callbacks(execute=True):
        read(ali, letter)
    event = WebhookEvent.objects.get()
    log = client.get("/agency/webhooks/?status=pending").content.decode()
    assert str(event.event_id) in log and f"/agency/webhooks/events/{event.event_id}/resend/" in log
    assert (
        str(event.event_id) not in client.get("/agency/webhooks/?status=delivered").content.decode()
    )
    confirm = client.get(f"/agency/webhooks/events/{event.event_id}/resend/")
    assert confirm.status_code == 200 and WebhookAttempt.objects.count() == 1
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/agency/webhooks/events/{event.event_id}/resend/")
    event.refresh_from_db()
    assert event.status == WebhookStatus.DELIVERED


def test_the_panel_refuses_a_private_address_with_a_persian_error(agency, admin, production_urls):
    client = signed_in(admin)
    page = client.post(
        "/agency/webhooks/",
        {"url": "https://169.254.169.254/x", "events": [WebhookEventType.LETTER_READ]},
    )
    assert page.status_code == 200 and "شبکه‌ی داخلی" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()
    page = client.post(
        "/agency/webhooks/",
        {"url": "http://oa.example.ir/x", "events": [WebhookEventType.LETTER_READ]},
    )
    assert "https://" in page.content.decode() and not WebhookEndpoint.objects.exists()


def test_the_panel_switches_off_renews_and_removes(agency, admin, receiver):
    endpoint = register(agency, admin, receiver)
    client = signed_in(admin)
    client.post(f"/agency/webhooks/{endpoint.pk}/toggle/", {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert client.get(f"/agency/webhooks/{endpoint.pk}/secret/").status_code == 200
    old = endpoint.secret
    renewed = client.post(f"/agency/webhooks/{endpoint.pk}/secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in renewed.content.decode()
    client.post(f"/agency/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_the_panel_is_404_for_non_admins_and_other_agencies(agency, admin, receiver):
    endpoint = register(agency, admin, receiver)
    sender = member(agency, Role.AGENCY_SENDER)
    client = signed_in(sender)
    assert client.get("/agency/webhooks/").status_code == 404
    assert "/agency/webhooks/" not in client.get("/agency/").content.decode()
    assert client.post(f"/agency/webhooks/{endpoint.pk}/delete/").status_code == 404
    other = signed_in(agency_admin(AgencyFactory()))
    assert other.get("/agency/webhooks/").status_code == 200  # their own page
    assert other.get(f"/agency/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert other.post(f"/agency/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert other.get(f"/agency/webhooks/events/{uuid.uuid4()}/resend/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    anonymous = Client().get("/agency/webhooks/")
    assert anonymous.status_code in (302, 404)
    assert "/agency/webhooks/" in signed_in(admin).get("/agency/").content.decode()


def test_the_sweep_is_scheduled():
    from payam.celery import app

    entry = app.conf.beat_schedule["agencies-webhooks-due"]
    assert entry["task"] == "agencies.webhooks_due"


def test_production_refuses_private_urls():
    """The production settings refuse to load with WEBHOOK_ALLOW_PRIVATE_URLS on
    (in a child process: importing them here would change this one's)."""
    import os
    import subprocess
    import sys

    env = os.environ | {
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "payam.example.ir",
        "SMS_CALLBACK_SECRET": "y" * 40,
        "LETTER_VERIFY_KEY": "z" * 40,
    }
    code = "import payam.settings.production as p; print(p.WEBHOOK_ALLOW_PRIVATE_URLS)"
    cwd = django_settings.BASE_DIR
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.strip() == "False", run.stderr
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env | {"WEBHOOK_ALLOW_PRIVATE_URLS": "true"},
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "WEBHOOK_ALLOW_PRIVATE_URLS" in run.stderr
