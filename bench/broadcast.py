"""A national broadcast in the background of bench/inbox_load.py: one letter to
10,000,000 people fanning out through the real `mailbox.fanout` task in a real
Celery worker (the `bulk` and `default` queues, as compose's `worker` runs
them, at its CPU priority), its notices queued (P2) by the `mailbox.notify` task
after every chunk, while the inbox is under load.

The letter is staged as `letter_send` leaves a campaign (the staged recipients
COPYed in, the letter pending): every person mailbox of the database first,
then new national codes for the rest, which the fan-out turns into placeholder
mailboxes as it would for people who have not registered. `letter_send`'s own
check and staging of ten million codes is the agency's upload step, measured by
bench/fanout.py. Afterwards everything the broadcast wrote is removed again
(raw SQL: a benchmark database) and the indexes rebuilt, so the database stays
as seeded."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from bench.fanout import bench_letter
from bench.scale import ROOT
from bench.seed_scale import national_code

SUBJECT = "اطلاعیه‌ی همگانی آزمایش کارایی در میان بار"
BODY = "<p>شهروند گرامی، این نامه برای سنجش کارایی کارپوشه در میانه‌ی یک ابلاغ همگانی است.</p>"
NEW_CODES_FROM = 100_000_000  # national_code(k) for k here on is none the seed made
COPY_BLOCK = 50_000
# compose's `worker` serves these queues (docker-compose.yml), at this priority.
WORKER_QUEUES = "default,bulk"
WORKER_NICE = 10


def _lines(letter_id: int, count: int, mailbox_ids: list[int]) -> Iterator[str]:
    """COPY lines of the staged recipients: the person mailboxes, then new codes."""
    for seq, mailbox_id in enumerate(mailbox_ids[:count]):
        yield f"{letter_id}\t{seq}\t\t\t{mailbox_id}\n"
    k = NEW_CODES_FROM
    for seq in range(min(count, len(mailbox_ids)), count):
        yield f"{letter_id}\t{seq}\tnatural\t{national_code(k)}\t\\N\n"
        k += 1


def stage(count: int) -> tuple[int, int, float]:
    """The broadcast letter with `count` staged recipients; (letter id, the
    largest mailbox id before it, seconds)."""
    from django.db import connection, transaction
    from django.db.models import Max

    from mailbox.models import Mailbox

    started = time.perf_counter()
    sender = Mailbox.objects.filter(kind="agency").order_by("pk").first()
    if sender is None:
        raise SystemExit("no agency mailbox: run bench/seed_scale.py first")
    last_mailbox = Mailbox.objects.aggregate(last=Max("pk"))["last"] or 0
    with transaction.atomic():
        letter = bench_letter(sender, count, subject=SUBJECT, body=BODY, staged=True)
        with connection.cursor() as cursor:  # read before the COPY holds the connection
            cursor.execute(
                "SELECT id FROM mailbox_mailbox WHERE kind IN ('natural', 'legal') ORDER BY id"
            )
            mailbox_ids = [pk for (pk,) in cursor.fetchall()]
        lines = _lines(letter.pk, count, mailbox_ids)
        copy_sql = (
            "COPY mailbox_letterrecipient (letter_id, seq, kind, identifier, mailbox_id) FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            while block := "".join(islice(lines, COPY_BLOCK)):
                copy.write(block)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mailbox_letterrecipient")
    return letter.pk, last_mailbox, time.perf_counter() - started


def backends() -> set[int]:
    """The server processes of this database's other connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


class Worker:
    """`celery worker` on compose's queues, at compose's priority, with the
    production settings; stopped cold (a fan-out task runs every chunk of its
    letter in one go, so a warm stop would wait for ten million), and its
    database connections ended before anything is read or removed."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.others = backends()
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 — our own fixed command
            [
                "/usr/bin/nice",
                "-n",
                str(WORKER_NICE),
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "payam",
                "worker",
                "-Q",
                WORKER_QUEUES,
                "--concurrency",
                str(os.cpu_count() or 2),
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=os.environ | env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        from django.db import connection

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        deadline = time.monotonic() + 60
        while left := backends() - self.others:
            if time.monotonic() > deadline:
                raise SystemExit(f"the worker's database connections did not end: {left}")
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", [list(left)]
                )
            time.sleep(0.2)


def progress(letter_id: int, since: Any) -> dict[str, int]:
    """Recipients delivered so far and notices queued since `since`."""
    from mailbox.models import Letter
    from sms.models import OutboundSMS

    letter = Letter.objects.get(pk=letter_id)
    return {
        "delivered": letter.fanout_done,
        "sms_queued": OutboundSMS.objects.filter(created_at__gte=since).count(),
    }


def remove(letter_id: int, *, last_mailbox: int, since: Any) -> float:
    """Everything the broadcast wrote, out again; the indexes rebuilt."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT tracking_code FROM mailbox_letter WHERE id = %s", [letter_id])
        (code,) = cursor.fetchone()
        cursor.execute(
            "DELETE FROM sms_smsstatuschange WHERE sms_id IN"
            " (SELECT id FROM sms_outboundsms WHERE created_at >= %s)",
            [since],
        )
        cursor.execute("DELETE FROM sms_outboundsms WHERE created_at >= %s", [since])
        cursor.execute(
            "DELETE FROM mailbox_emailnotice WHERE delivery_id IN"
            " (SELECT id FROM mailbox_delivery WHERE letter_id = %s)",
            [letter_id],
        )
        cursor.execute("DELETE FROM mailbox_delivery WHERE letter_id = %s", [letter_id])
        cursor.execute("DELETE FROM mailbox_letterrecipient WHERE letter_id = %s", [letter_id])
        cursor.execute("DELETE FROM mailbox_letter WHERE id = %s", [letter_id])
        cursor.execute("DELETE FROM mailbox_mailbox WHERE id > %s", [last_mailbox])
        cursor.execute("DELETE FROM payam_trackingcode WHERE kind = 'letter' AND code = %s", [code])
    with connection.cursor() as cursor:
        for table in ("mailbox_delivery", "mailbox_mailbox", "mailbox_letterrecipient"):
            cursor.execute(f"REINDEX TABLE {table}")  # noqa: S608 — our own table names
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # noqa: S608
    return time.perf_counter() - started
