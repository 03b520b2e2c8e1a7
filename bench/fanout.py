"""One letter to 1,000,000 people through the real code path, against a raw COPY
of the same deliveries, on the national-scale database (bench/seed_scale.py).

    python bench/fanout.py [--recipients 1000000] [--keep]

The real path is what an agency's campaign does: `letter_send` with a million
national codes of existing mailboxes (checks every code, stores the letter and
stages the recipients in one transaction), then the `mailbox.fanout` task run
synchronously in this process, as a Celery worker runs it (the task function
itself, chunk after chunk, until the letter is done). The notifier the fan-out
rings after each chunk is a separate task on the `bulk` queue and is not run here.

The baseline is a COPY of the same (letter, recipient, delivered_at, …) rows, in
the same order, into the same table with all its indexes, for a letter of its
own; it runs once before and once after the fan-out and the faster one counts,
so the ratio is not flattered by a cold cache. Goal: real path ≤ 2.0 × COPY.
Prints both times and the ratios; writes bench/results/fanout.json. Afterwards
the rows of the three letters are removed again (raw SQL: this is a benchmark
database, where the "never deleted" rule of the models is not the point) and the
indexes of deliveries rebuilt, so the database stays as seeded; `--keep` leaves them.
"""

import argparse
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    setup_django,
    target_code,
    write_result,
)

GOAL_RATIO = 2.0
ADMIN = "bench-scale-admin"
SUBJECT = "اطلاعیه‌ی همگانی آزمایش کارایی"
BODY = "<p>شهروند گرامی، این نامه برای سنجش کارایی تحویل نامه‌های همگانی است.</p>"


def recipients(count: int) -> list[tuple[str, int, int | None]]:
    """(national code, mailbox id, owner id) of `count` natural persons' mailboxes
    (the target's aside), in a shuffled order like a campaign's list."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT identifier, id, owner_id FROM mailbox_mailbox"
            " WHERE kind = 'natural' AND identifier <> %s ORDER BY id LIMIT %s",
            [target_code(), count],
        )
        rows = [(code, pk, owner) for code, pk, owner in cursor.fetchall()]
    random.Random(7).shuffle(rows)
    return rows


def admin() -> Any:
    from accounts.models import User, UserKind

    user, _ = User.objects.get_or_create(
        username=ADMIN, defaults={"kind": UserKind.STAFF, "is_superuser": True, "is_staff": True}
    )
    return user


def bench_letter(sender: Any, count: int, *, subject: str, body: str, staged: bool) -> Any:
    """A letter stored as sent (not through letter_send): delivered already
    (`staged=False`, for a COPY baseline) or waiting for its fan-out."""
    from django.utils import timezone

    from mailbox.constants import FanoutState
    from mailbox.models import Letter
    from payam.tracking import TrackingKind, issue

    now = timezone.now()
    return Letter.objects.create(
        tracking_code=issue(kind=TrackingKind.LETTER),
        sender=sender,
        sender_name=sender.label,
        subject=subject,
        body=body,
        category="notice",
        sent_at=now,
        created_at=now,
        content_sha256="0" * 64,
        verification_code="00000000",
        recipient_count=count,
        fanout_done=0 if staged else count,
        fanout_state=FanoutState.PENDING if staged else FanoutState.DONE,
    )


def baseline_letter(sender: Any, count: int) -> Any:
    """A letter for the COPY baseline."""
    return bench_letter(sender, count, subject=SUBJECT + " (COPY)", body=BODY, staged=False)


def copy_deliveries(letter_id: int, rows: list[tuple[str, int, int | None]]) -> float:
    """COPY one delivery per recipient into mailbox_delivery; seconds taken."""
    from django.db import connection
    from django.utils import timezone

    at = timezone.now().isoformat()
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with (
        raw.cursor() as cursor,
        cursor.copy(
            "COPY mailbox_delivery (letter_id, recipient_id, status, delivered_at, first_read_by,"
            " notification_status, archived, starred) FROM STDIN"
        ) as copy,
    ):
        batch: list[str] = []
        for _code, mailbox_id, owner_id in rows:
            status = "pending" if owner_id else "skipped"
            batch.append(f"{letter_id}\t{mailbox_id}\tdelivered\t{at}\t\t{status}\tf\tf\n")
            if len(batch) >= 20_000:
                copy.write("".join(batch))
                batch.clear()
        if batch:
            copy.write("".join(batch))
    return time.perf_counter() - started


def check_letter(letter_id: int, expected: int) -> dict[str, Any]:
    from django.db import connection

    from mailbox.models import Letter, LetterRecipient

    letter = Letter.objects.get(pk=letter_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT recipient_id) FROM mailbox_delivery"
            " WHERE letter_id = %s",
            [letter_id],
        )
        deliveries, distinct = cursor.fetchone()
    staged = LetterRecipient.objects.filter(letter_id=letter_id).count()
    ok = (
        deliveries == distinct == expected
        and staged == 0
        and letter.fanout_state == "done"
        and letter.fanout_done == expected
    )
    return {
        "deliveries": deliveries,
        "distinct_recipients": distinct,
        "staged_left": staged,
        "fanout_state": letter.fanout_state,
        "fanout_done": letter.fanout_done,
        "exactly_one_each": ok,
    }


def remove(letter_ids: list[int], *, reindex: bool = True) -> float:
    """Take the benchmark's letters out again, so the database stays as seeded
    (`reindex=False`: a few hundred thousand rows, VACUUM is enough)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT tracking_code FROM mailbox_letter WHERE id = ANY(%s)", [letter_ids])
        codes = [code for (code,) in cursor.fetchall()]
        cursor.execute("DELETE FROM mailbox_delivery WHERE letter_id = ANY(%s)", [letter_ids])
        cursor.execute(
            "DELETE FROM mailbox_letterrecipient WHERE letter_id = ANY(%s)", [letter_ids]
        )
        cursor.execute("DELETE FROM mailbox_letter WHERE id = ANY(%s)", [letter_ids])
        cursor.execute(
            "DELETE FROM payam_trackingcode WHERE kind = 'letter' AND code = ANY(%s)", [codes]
        )
    with connection.cursor() as cursor:
        # Three million rows in and out leave the indexes of deliveries half empty,
        # and the next run slower: rebuild them, so every run starts as seeded.
        if reindex:
            cursor.execute("REINDEX TABLE mailbox_delivery")
        cursor.execute("VACUUM (ANALYZE) mailbox_delivery")
        cursor.execute("VACUUM (ANALYZE) mailbox_letterrecipient")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--keep", action="store_true", help="leave the benchmark's letters")
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url)
    from django.conf import settings

    # The fan-out path's own cost against COPY: flat out, not paced for the pages'
    # sake (BULK_PAUSE_RATIO; inbox_load.py measures a paced broadcast).
    settings.BULK_PAUSE_RATIO = 0.0

    from mailbox import services, tasks
    from mailbox.models import Mailbox

    rows = recipients(args.recipients)
    if len(rows) < args.recipients:
        print(f"only {len(rows):,} natural mailboxes in the database: sending to those")
    if not rows:
        raise SystemExit("the scale database is empty: run bench/seed_scale.py first")
    count = len(rows)
    codes = [code for code, _pk, _owner in rows]
    sender = Mailbox.objects.filter(kind="agency").order_by("pk").first()
    if sender is None:
        raise SystemExit("no agency mailbox: run bench/seed_scale.py first")
    actor = admin()

    # The broker is not part of this measurement: record the rings instead of
    # publishing them, and run the fan-out task here, as a worker would.
    rung: dict[str, list[int]] = {"fanout": [], "notify": []}
    services.doorbell.ring_fanout = lambda letter_id, *, urgent=False: rung["fanout"].append(
        letter_id
    )
    services.doorbell.ring_notify = lambda letter_id, *, bulk: rung["notify"].append(letter_id)

    letters: list[int] = []
    try:
        print(f"COPY baseline 1: {count:,} deliveries…", flush=True)
        first = baseline_letter(sender, count)
        letters.append(first.pk)
        copy_before = copy_deliveries(first.pk, rows)
        print(f"  {copy_before:.1f} s", flush=True)

        print(f"letter_send to {count:,} national codes…", flush=True)
        started = time.perf_counter()
        letter = services.letter_send(
            actor=actor,
            sender=sender,
            recipients=codes,
            subject=SUBJECT,
            body=BODY,
            category="notice",
        )
        letters.append(letter.pk)
        sent = time.perf_counter()
        print(f"  {sent - started:.1f} s (state {letter.fanout_state})", flush=True)
        print("mailbox.fanout task…", flush=True)
        delivered = tasks.fanout(letter.pk)
        finished = time.perf_counter()
        print(f"  {finished - sent:.1f} s ({delivered:,} delivered)", flush=True)
        checks = check_letter(letter.pk, count)

        print(f"COPY baseline 2: {count:,} deliveries…", flush=True)
        second = baseline_letter(sender, count)
        letters.append(second.pk)
        copy_after = copy_deliveries(second.pk, rows)
        print(f"  {copy_after:.1f} s", flush=True)
    finally:
        removed = None if args.keep or not letters else remove(letters)

    send_s, fanout_s = sent - started, finished - sent
    real_s = finished - started
    copy_s = min(copy_before, copy_after)
    result = {
        "database_url": args.database_url,
        "recipients": count,
        "chunk": settings.LETTER_FANOUT_CHUNK,
        "inline_limit": settings.LETTER_INLINE_RECIPIENTS,
        "seconds": {
            "letter_send": round(send_s, 2),
            "fanout_task": round(fanout_s, 2),
            "real_path": round(real_s, 2),
            "copy_before": round(copy_before, 2),
            "copy_after": round(copy_after, 2),
            "copy_baseline": round(copy_s, 2),
            "cleanup": round(removed, 2) if removed is not None else None,
        },
        "rows_per_s": {
            "real_path": round(count / real_s),
            "fanout_task": round(count / fanout_s),
            "copy": round(count / copy_s),
        },
        "ratio_real_path_vs_copy": round(real_s / copy_s, 2),
        "ratio_fanout_task_vs_copy": round(fanout_s / copy_s, 2),
        "goal_ratio": GOAL_RATIO,
        "goal_met": real_s / copy_s <= GOAL_RATIO,
        "checks": checks,
        "notifier_rings": len(rung["notify"]),
        "kept": args.keep,
        "at": datetime.now().astimezone().isoformat(),
    }
    out = write_result("fanout", result)
    print(f"Fan-out of one letter to {count:,} recipients (chunks of {result['chunk']:,})")
    print(f"  letter_send (check + stage)   {send_s:8.1f} s")
    print(f"  mailbox.fanout task           {fanout_s:8.1f} s  {count / fanout_s:,.0f} rows/s")
    print(f"  real path, total              {real_s:8.1f} s  {count / real_s:,.0f} rows/s")
    print(
        f"  raw COPY of the same rows     {copy_s:8.1f} s  {count / copy_s:,.0f} rows/s"
        f"  (before {copy_before:.1f} s, after {copy_after:.1f} s)"
    )
    ratio = real_s / copy_s
    print(
        f"  ratio real path / COPY        {ratio:8.2f}x  (goal ≤ {GOAL_RATIO:.1f}x:"
        f" {'met' if ratio <= GOAL_RATIO else 'MISSED'}); fan-out task alone"
        f" {fanout_s / copy_s:.2f}x"
    )
    print(
        f"  exactly one delivery each     {checks['exactly_one_each']}"
        f"  ({checks['deliveries']:,} deliveries, {checks['distinct_recipients']:,} recipients,"
        f" {checks['staged_left']} staged rows left)"
    )
    print(f"wrote {out.relative_to(out.parents[2])}")
    if not checks["exactly_one_each"]:
        raise SystemExit("FAILED: the fan-out did not deliver exactly once to each recipient")


if __name__ == "__main__":
    main()
