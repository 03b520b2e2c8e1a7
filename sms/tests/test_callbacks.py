import json
import time

import pytest
from django.urls import reverse

from sms import services, signing
from sms.models import DeliveryReport, InboundSMS, OutboundSMS

from .factories import MaliatSenderFactory

pytestmark = pytest.mark.django_db
SECRET = "test-sms-callback-secret"


def post(client, url, payload, *, secret=SECRET, now=None, headers=None):
    body = json.dumps(payload).encode()
    signed = signing.sign(secret=secret, body=body, now=now)
    if headers is not None:
        signed = headers
    return client.post(
        url,
        body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()},
    )


@pytest.fixture
def sms():
    MaliatSenderFactory()
    row = services.sms_queue(sender="4040123", to="09121234567", body="x", kind="notification")
    OutboundSMS.objects.filter(pk=row.pk).update(
        status="sent", gateway="http", gateway_message_id="m1"
    )
    return row


def delivery_url(gateway="http"):
    return reverse("sms:delivery_report", args=[gateway])


def report(sms, status="delivered", event_id="e1"):
    return {
        "event_id": event_id,
        "localid": str(sms.pk),
        "messageid": "m1",
        "status": status,
        "at": "2026-11-23T08:00:00+00:00",
    }


def test_delivery_report_moves_sent_to_delivered(client, sms):
    response = post(client, delivery_url(), report(sms))
    assert response.status_code == 200 and response.json()["result"] == "applied"
    sms.refresh_from_db()
    assert sms.status == "delivered" and sms.done_at.isoformat() == "2026-11-23T08:00:00+00:00"


def test_duplicate_report_changes_nothing(client, sms):
    post(client, delivery_url(), report(sms))
    again = post(client, delivery_url(), report(sms))
    assert again.status_code == 200 and again.json()["result"] == "duplicate"
    assert DeliveryReport.objects.count() == 1
    assert sms.changes.filter(to_status="delivered").count() == 1


def test_out_of_order_report_never_moves_backwards(client, sms):
    post(client, delivery_url(), report(sms, "delivered", "e1"))
    late = post(client, delivery_url(), report(sms, "sent", "e0"))
    failed_after = post(client, delivery_url(), report(sms, "failed", "e2"))
    assert late.json()["result"] == failed_after.json()["result"] == "ignored"
    sms.refresh_from_db()
    assert sms.status == "delivered"


def test_report_that_overtakes_our_own_sent_update(client, sms):
    OutboundSMS.objects.filter(pk=sms.pk).update(status="sending")
    assert post(client, delivery_url(), report(sms)).json()["result"] == "applied"
    sms.refresh_from_db()
    assert sms.status == "delivered" and sms.sent_at is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "wrong-secret"},
        {"headers": {}},
        {"now": time.time() - 3600},  # a replay of an old, validly signed request
        {"headers": {signing.TIMESTAMP_HEADER: "abc", signing.SIGNATURE_HEADER: "sha256=00"}},
    ],
)
def test_bad_signature_is_refused_and_nothing_stored(client, sms, kwargs):
    response = post(client, delivery_url(), report(sms), **kwargs)
    assert response.status_code == 403
    assert not DeliveryReport.objects.exists()
    sms.refresh_from_db()
    assert sms.status == "sent"


def test_unknown_gateway_and_unknown_message(client, sms):
    assert post(client, delivery_url("nope"), report(sms)).status_code == 404
    payload = report(sms) | {"localid": "999999"}
    assert post(client, delivery_url(), payload).status_code == 404
    assert not DeliveryReport.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"event_id": "e"}, {"event_id": "e", "localid": "1", "status": "teleported"}, ["list"]],
)
def test_malformed_report_is_refused(client, sms, payload):
    assert post(client, delivery_url(), payload).status_code == 400
    assert not DeliveryReport.objects.exists()


def test_only_post(client):
    assert client.get(delivery_url()).status_code == 405


def test_inbound_is_stored_once_and_subscribers_hear_it(client, django_capture_on_commit_callbacks):
    MaliatSenderFactory()
    heard: list[InboundSMS] = []
    services.inbound_subscribe(heard.append)
    try:
        payload = {"messageid": "in-1", "from": "09121234567", "to": "4040123", "message": "لغو"}
        url = reverse("sms:inbound", args=["http"])
        with django_capture_on_commit_callbacks(execute=True):
            first = post(client, url, payload)
        with django_capture_on_commit_callbacks(execute=True):
            second = post(client, url, payload)
    finally:
        services._inbound_subscribers.remove(heard.append)
    assert first.status_code == second.status_code == 200
    message = InboundSMS.objects.get()
    assert (message.sender_number.number, message.msisdn, message.body) == (
        "4040123",
        "+989121234567",
        "لغو",
    )
    assert [m.pk for m in heard] == [message.pk]


def test_inbound_to_an_unregistered_number_is_refused(client):
    payload = {"messageid": "in-2", "from": "09121234567", "to": "3000555", "message": "x"}
    response = post(client, reverse("sms:inbound", args=["http"]), payload)
    assert response.status_code == 404
    assert not InboundSMS.objects.exists()
