from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from sms import services
from sms.constants import ALLOWED_TRANSITIONS, SmsStatus
from sms.exceptions import InvalidTransition
from sms.gateways import Accepted, Lookup, PermanentGatewayError, TransientGatewayError
from sms.models import OutboundSMS

from .factories import MaliatSenderFactory, SystemSenderFactory

pytestmark = pytest.mark.django_db


class ScriptedGateway:
    """A gateway double whose answers the test scripts; it records what it got."""

    name = "scripted"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent: list[str] = []
        self.known: dict[str, Lookup] = {}

    def send(self, message):
        answer = self.answers.pop(0) if self.answers else "ok"
        if isinstance(answer, Exception):
            raise answer
        self.sent.append(message.client_ref)
        self.known[message.client_ref] = Lookup(f"gw-{message.client_ref}", SmsStatus.SENT)
        return Accepted(gateway_message_id=f"gw-{message.client_ref}")

    def lookup(self, client_ref):
        return self.known.get(client_ref)


@pytest.fixture(autouse=True)
def senders():
    SystemSenderFactory()
    MaliatSenderFactory()


@pytest.fixture
def gateway(monkeypatch):
    def install(*answers):
        gw = ScriptedGateway(*answers)
        monkeypatch.setattr(services, "get_gateway", lambda: gw)
        return gw

    return install


@pytest.fixture
def rings(monkeypatch):
    calls = []
    monkeypatch.setattr(
        services, "_ring", lambda lane, countdown=0, times=1: calls.append((lane, countdown))
    )
    return calls


def queue(kind="notification", **kw):
    sender = "4040" if kind == "otp" else "4040123"
    return services.sms_queue(sender=sender, to="09121234567", body="x", kind=kind, **kw)


def test_sent_once(gateway, rings):
    gw = gateway()
    sms = queue()
    assert services.lane_dispatch(lane="sms") == 1
    assert services.lane_dispatch(lane="sms") == 0
    sms.refresh_from_db()
    assert (sms.status, sms.gateway_message_id, sms.attempts) == ("sent", f"gw-{sms.pk}", 1)
    assert gw.sent == [str(sms.pk)]


def test_lanes_are_separate(gateway, rings):
    gateway()
    otp = queue("otp")
    note = queue("notification")
    assert services.lane_dispatch(lane="bulk") == 0
    assert services.lane_dispatch(lane="sms_otp") == 1
    otp.refresh_from_db(), note.refresh_from_db()
    assert (otp.status, note.status) == ("sent", "queued")


def test_transient_error_retries_with_backoff_then_sends(gateway, rings, settings):
    settings.SMS_RETRY_BASE_SECONDS = 10
    gw = gateway(TransientGatewayError("HTTP 503"), TransientGatewayError("429", retry_after=120))
    sms = queue()
    with freeze_time(timezone.now()) as frozen:
        services.lane_dispatch(lane="sms")
        sms.refresh_from_db()
        assert sms.status == "queued" and sms.attempts == 1 and sms.error == "HTTP 503"
        delay = (sms.next_attempt_at - timezone.now()).total_seconds()
        assert 5 <= delay <= 10  # base 10 s, full jitter in [half, whole]
        assert rings[-1][0] == "sms" and rings[-1][1] == pytest.approx(delay)
        assert services.lane_dispatch(lane="sms") == 0  # not due yet
        frozen.tick(timedelta(seconds=11))
        services.lane_dispatch(lane="sms")
        sms.refresh_from_db()
        assert sms.attempts == 2
        assert (sms.next_attempt_at - timezone.now()).total_seconds() == pytest.approx(120)
        frozen.tick(timedelta(seconds=121))
        services.lane_dispatch(lane="sms")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, gw.sent) == ("sent", 3, [str(sms.pk)])


def test_backoff_grows_and_is_capped(settings):
    settings.SMS_RETRY_BASE_SECONDS, settings.SMS_RETRY_MAX_SECONDS = 5, 60
    assert 2.5 <= services.retry_delay(1) <= 5
    assert 10 <= services.retry_delay(3) <= 20
    assert 30 <= services.retry_delay(10) <= 60


def test_permanent_error_fails_at_once(gateway, rings):
    gateway(PermanentGatewayError("invalid_receptor"))
    sms = queue()
    services.lane_dispatch(lane="sms")
    sms.refresh_from_db()
    assert (sms.status, sms.error, sms.attempts) == ("failed", "invalid_receptor", 1)
    assert sms.done_at is not None


def test_dead_after_the_last_attempt_and_retry_from_admin(gateway, rings, settings, admin_user):
    settings.SMS_MAX_ATTEMPTS = 3
    gw = gateway(*[TransientGatewayError("HTTP 500")] * 3)
    sms = queue()
    with freeze_time(timezone.now()) as frozen:
        for _ in range(3):
            services.lane_dispatch(lane="sms")
            frozen.tick(timedelta(hours=1))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("dead", 3)
    assert services.sms_retry(actor=admin_user, sms_ids=[sms.pk]) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 0)
    services.lane_dispatch(lane="sms")
    sms.refresh_from_db()
    assert sms.status == "sent" and gw.sent == [str(sms.pk)]


def test_retry_needs_permission(django_user_model):
    from django.core.exceptions import PermissionDenied

    clerk = django_user_model.objects.create_user(username="clerk", password="x" * 12)
    with pytest.raises(PermissionDenied):
        services.sms_retry(actor=clerk, sms_ids=[1])


def test_adapter_bug_does_not_strand_the_row(gateway, rings):
    gateway(ZeroDivisionError("boom"))
    sms = queue()
    services.lane_dispatch(lane="sms")
    sms.refresh_from_db()
    assert sms.status == "queued" and "ZeroDivisionError" in sms.error


def test_old_otp_expires_instead_of_being_sent(gateway, rings):
    gw = gateway()
    sms = queue("otp")
    OutboundSMS.objects.filter(pk=sms.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    services.lane_dispatch(lane="sms_otp")
    sms.refresh_from_db()
    assert sms.status == "expired" and gw.sent == []


def test_sweeper_recovers_without_sending_twice(gateway, rings, settings):
    """A worker died after claiming two rows: it had sent the first, not the second."""
    settings.SMS_SENDING_TIMEOUT = 60
    gw = gateway()
    sent_before_crash, never_sent = queue(), queue()
    claimed = services.sms_claim_batch(lane="sms", limit=10)
    assert {s.pk for s in claimed} == {sent_before_crash.pk, never_sent.pk}
    gw.send(
        services.OutgoingMessage(
            str(sent_before_crash.pk), "4040123", "+989121234567", "x", "notification"
        )
    )

    assert services.sms_sweep()["recovered_sent"] == 0  # too early: the worker may be alive
    with freeze_time(timezone.now() + timedelta(seconds=61)):
        counts = services.sms_sweep()
        assert (counts["recovered_sent"], counts["requeued"]) == (1, 1)
        services.lane_dispatch(lane="sms")
    assert sorted(gw.sent) == sorted([str(sent_before_crash.pk), str(never_sent.pk)])
    assert set(OutboundSMS.objects.values_list("status", flat=True)) == {"sent"}


def test_sweeper_rings_for_due_rows(gateway, rings):
    gateway()
    queue()
    rings.clear()
    assert services.sms_sweep()["lanes_rung"] == 1 and rings == [("sms", 0)]


def test_every_transition_outside_the_table_is_refused():
    sms = queue()
    for source in SmsStatus:
        for target in SmsStatus:
            OutboundSMS.objects.filter(pk=sms.pk).update(status=source)
            if target in ALLOWED_TRANSITIONS[source]:
                assert services._move(sms.pk, from_status=source, to_status=target)
            else:
                with pytest.raises(InvalidTransition):
                    services._move(sms.pk, from_status=source, to_status=target)


def test_guarded_move_does_nothing_when_someone_moved_it_first():
    sms = queue()
    assert not services._move(sms.pk, from_status="sending", to_status="sent")
    sms.refresh_from_db()
    assert sms.status == "queued" and not sms.changes.exists()


def test_a_row_taken_back_by_the_sweeper_is_not_sent_by_its_first_worker(gateway, rings):
    gw = gateway()
    sms = queue()
    [claimed] = services.sms_claim_batch(lane="sms", limit=1)
    # The first worker stalls; the sweeper gives its row to someone else.
    with freeze_time(timezone.now() + timedelta(seconds=services.sending_timeout() + 1)):
        assert services.sms_sweep()["requeued"] == 1
        services.lane_dispatch(lane="sms")
    assert services.sms_send_one(claimed, gateway=gw) == "skipped"
    assert gw.sent == [str(sms.pk)]


def test_sending_timeout_is_never_shorter_than_one_send(settings):
    settings.SMS_SENDING_TIMEOUT = 1
    settings.SMS_HTTP_CONNECT_TIMEOUT, settings.SMS_HTTP_READ_TIMEOUT = 3, 10
    assert services.sending_timeout() == 14
