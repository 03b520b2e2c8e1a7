"""Webhooks against real transactions (PostgreSQL): the event is POSTed only
after the read commits and never for a read rolled back; twenty workers given
the same event POST it once; a letter fanned out by the INSERT … SELECT path
makes one `letter.delivered`."""

import os
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction

from accounts.tests.factories import ALI, AliFactory, unused_national_codes
from agencies.constants import WebhookEventType, WebhookStatus
from agencies.models import WebhookAttempt, WebhookEvent
from agencies.services.webhooks import webhook_deliver, webhook_endpoint_create
from agencies.webhook_receiver import ReceiverServer, start_in_thread
from mailbox.constants import LetterCategory
from mailbox.models import Delivery
from mailbox.services import delivery_mark_read, letter_fanout, letter_send
from mailbox.tests.conftest import activate, fresh

from .factories import AgencyFactory, agency_admin

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("DATABASE_URL must name PostgreSQL")
        pytest.skip("DATABASE_URL must name PostgreSQL")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver():
    server = ReceiverServer(0, "placeholder")
    start_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def setup(receiver):
    agency = AgencyFactory()
    admin = agency_admin(agency)
    issued = webhook_endpoint_create(
        actor=admin,
        agency=agency,
        url=receiver.url,
        events=[WebhookEventType.LETTER_READ, WebhookEventType.LETTER_DELIVERED],
    )
    receiver.secret = issued.secret
    return agency, admin, fresh(activate(AliFactory()))


def send(agency, admin, recipients):
    return letter_send(
        actor=admin,
        sender=agency.mailbox,
        recipients=recipients,
        subject="ابلاغ",
        body="متن",
        category=LetterCategory.NOTICE,
    )


def test_the_post_follows_the_commit_and_a_rolled_back_read_sends_nothing(setup, receiver):
    agency, admin, ali = setup
    letter = send(agency, admin, [ALI])  # committed: letter.delivered POSTed
    assert [r.event for r in receiver.received] == ["letter.delivered"]
    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)

    with pytest.raises(RuntimeError), transaction.atomic():
        delivery_mark_read(actor=ali, delivery=delivery)
        raise RuntimeError("rolled back")
    assert not WebhookEvent.objects.filter(event_type="letter.read").exists()
    assert len(receiver.received) == 1

    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)
    with transaction.atomic():
        delivery_mark_read(actor=ali, delivery=delivery)
        assert len(receiver.received) == 1  # not before the commit
    assert [r.event for r in receiver.received] == ["letter.delivered", "letter.read"]
    assert all(r.signature_valid for r in receiver.received)
    assert WebhookEvent.objects.get(event_type="letter.read").status == WebhookStatus.DELIVERED


def test_twenty_workers_given_one_event_post_it_once(setup, receiver, settings):
    agency, admin, ali = setup
    settings.CELERY_TASK_ALWAYS_EAGER = True
    letter = send(agency, admin, [ALI])
    receiver.received.clear()
    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)
    # the read's own POST is held back: the workers below race for the event
    from agencies.services import webhooks

    ring = webhooks._ring
    webhooks._ring = lambda event_pk: None
    try:
        delivery_mark_read(actor=ali, delivery=delivery)
    finally:
        webhooks._ring = ring
    event = WebhookEvent.objects.get(event_type="letter.read")
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait()
            outcome = webhook_deliver(event_pk=event.pk)
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered"] + ["skipped"] * 19
    assert len(receiver.received) == 1
    assert WebhookAttempt.objects.filter(event=event).count() == 1


def test_a_letter_fanned_out_in_sql_chunks_makes_one_delivered_event(setup, receiver, settings):
    agency, admin, ali = setup
    settings.LETTER_INLINE_RECIPIENTS = 5
    settings.LETTER_FANOUT_CHUNK = 7
    letter = send(agency, admin, [ALI, *unused_national_codes(39)])  # fanned out on commit
    letter_fanout(letter_id=letter.pk)  # a duplicate task: nothing more
    event = WebhookEvent.objects.get()
    assert event.event_type == "letter.delivered" and event.payload["delivered"] == 40
    assert event.status == WebhookStatus.DELIVERED
    assert [r.event for r in receiver.received] == ["letter.delivered"]
