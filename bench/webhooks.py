"""What webhooks cost: a citizen's first read with the agencies receivers
connected and no endpoint (the common case) against the same read with the
receivers disconnected (the baseline), in queries and reads a second; the same
read with an endpoint subscribed to `letter.read` (the outbox row written, the
POST not sent); and signed events POSTed a second, one at a time, to a local
receiver thread that verifies each signature. Reads a second swing with the
disk and the machine's load; the receiver's own cost with no endpoint (the
signal and one cache read, timed alone) is the steady figure.

    python bench/webhooks.py [--reads 300] [--posts 200]
    DATABASE_URL=postgres://… python bench/webhooks.py

Writes bench/results/webhooks.json.
"""

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def _setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.test")
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return str(connection.vendor)


def main() -> None:  # noqa: PLR0915 — one scenario after another
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    vendor = _setup()
    logging.getLogger("payam.webhooks").setLevel(logging.WARNING)
    logging.getLogger("celery").setLevel(logging.WARNING)

    from django.core.cache import cache
    from django.db import connection

    from accounts.tests.factories import ALI, AliFactory
    from agencies import receivers
    from agencies.models import WebhookEvent
    from agencies.services import webhooks
    from agencies.tests.factories import AgencyFactory, agency_admin
    from agencies.webhook_receiver import ReceiverServer, start_in_thread
    from mailbox.constants import LetterCategory
    from mailbox.events import letter_read
    from mailbox.models import Delivery
    from mailbox.services import delivery_mark_read, letter_send
    from mailbox.tests.conftest import activate, fresh

    cache.clear()
    agency = AgencyFactory(sender__number="4040991")
    admin = agency_admin(agency)
    ali = fresh(activate(AliFactory()))

    def unread(n: int) -> list[Delivery]:
        letters = [
            letter_send(
                actor=admin,
                sender=agency.mailbox,
                recipients=[ALI],
                subject="ابلاغ",
                body="متن",
                category=LetterCategory.NOTICE,
            )
            for _ in range(n)
        ]
        return list(
            Delivery.objects.select_related("letter", "recipient", "recipient__owner").filter(
                letter__in=letters
            )
        )

    def reads(deliveries: list[Delivery]) -> tuple[float, float]:
        """Reads a second and queries per read."""
        count = [0]

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            for delivery in deliveries:
                delivery_mark_read(actor=ali, delivery=delivery)
            took = time.perf_counter() - started
        return len(deliveries) / took, count[0] / len(deliveries)

    n = args.reads
    webhooks.subscriptions_of_mailbox(agency.mailbox_id)  # the cache warm
    # baseline: the receiver disconnected, as before webhooks existed. The two
    # alternate read by read, so drift (the disk, a growing table) hits both alike.
    uid = "agencies.webhook_letter_read"
    base_t = none_t = 0.0
    base_q = none_q = 0
    for i, delivery in enumerate(unread(2 * n)):
        baseline = i % 2 == 0
        if baseline:
            letter_read.disconnect(dispatch_uid=uid)
        rate_one, queries_one = reads([delivery])
        if baseline:
            letter_read.connect(receivers.letter_read_webhook, dispatch_uid=uid)
            base_t += 1 / rate_one
            base_q += int(queries_one)
        else:
            none_t += 1 / rate_one
            none_q += int(queries_one)
    base_rate, base_queries = n / base_t, base_q / n
    none_rate, none_queries = n / none_t, none_q / n

    # the receiver alone, no endpoint: the signal, one cache read, nothing else
    sample = unread(1)[0]
    calls = 20_000
    started = time.perf_counter()
    for _ in range(calls):
        letter_read.send(sender=Delivery, delivery=sample)
    receiver_us = (time.perf_counter() - started) / calls * 1e6

    receiver = ReceiverServer(0, "x")
    start_in_thread(receiver)
    issued = webhooks.webhook_endpoint_create(
        actor=admin, agency=agency, url=receiver.url, events=["letter.read"]
    )
    receiver.secret = issued.secret
    cache.clear()
    ring = webhooks._ring
    webhooks._ring = lambda event_pk: None  # rows only: the POSTs are measured below
    try:
        sub_rate, sub_queries = reads(unread(n))
    finally:
        webhooks._ring = ring
    assert WebhookEvent.objects.count() == n  # noqa: S101

    pks = list(WebhookEvent.objects.order_by("pk").values_list("pk", flat=True))[: args.posts]
    started = time.perf_counter()
    for pk in pks:
        webhooks.webhook_deliver(event_pk=pk)
    post_rate = len(pks) / (time.perf_counter() - started)
    assert len(receiver.received) == len(pks)  # noqa: S101
    assert all(r.signature_valid for r in receiver.received)  # noqa: S101
    receiver.shutdown()
    receiver.server_close()

    figures = {
        "first_reads_per_second_baseline": round(base_rate, 1),
        "first_reads_per_second_no_endpoint": round(none_rate, 1),
        "first_reads_per_second_subscribed": round(sub_rate, 1),
        "queries_per_read_baseline": round(base_queries, 2),
        "queries_per_read_no_endpoint": round(none_queries, 2),
        "queries_per_read_subscribed": round(sub_queries, 2),
        "receiver_microseconds_no_endpoint": round(receiver_us, 1),
        "ratio_no_endpoint_vs_baseline": round(none_rate / base_rate, 3),
        "ratio_subscribed_vs_baseline": round(sub_rate / base_rate, 3),
        "signed_posts_per_second_local": round(post_rate, 1),
    }
    for name, value in figures.items():
        print(f"{name:40} {value}")  # noqa: T201
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "webhooks.json").write_text(
        json.dumps(
            {
                "name": "webhooks",
                "at": datetime.now(UTC).isoformat(),
                "database": vendor,
                "python": platform.python_version(),
                "reads": n,
                "posts": len(pks),
                "figures": figures,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
