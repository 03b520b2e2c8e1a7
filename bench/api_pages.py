"""The agencies' API pages at depth on PostgreSQL: a letter's recipients
(`GET /api/v1/letters/{code}/recipients`, keyset `id > cursor`, all of them and
the read ones — one in ten) of a letter fanned out together with nine others
(its deliveries one in ten by id), and the incoming feed (`GET /api/v1/incoming`,
keyset on (delivered_at, id)), each a page read from a cursor 10 % and 90 % of
the way in. Each is timed as PostgreSQL's own execution time of the page's query
(EXPLAIN ANALYZE, with the index its plan scans) and as the whole selector call
(the ORM's rows included). The recipients pages are measured with the index
`delivery_letter_id_idx` (letter, id) and, as the baseline in the same run,
without it (dropped, then made again).

    DATABASE_URL=postgres://…/payam_bench_api .venv/bin/python bench/api_pages.py \
        [--recipients 20000] [--letters 50000]

Prints its figures and writes bench/results/api_pages.json. The database is
migrated and filled; use one of its own.
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import write_result  # noqa: E402

CHUNK = 10_000
LETTERS_AT_ONCE = 10


def sql_ms(connection: Any, fn: Callable[[], object], repeats: int = 7) -> tuple[float, str]:
    """The median execution time PostgreSQL reports for the first query `fn`
    makes (EXPLAIN ANALYZE), and the index its plan scans."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        fn()
    sql = context.captured_queries[0]["sql"]
    runs, plan = [], ""
    for _ in range(repeats + 1):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ANALYZE {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        runs.append(float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1)))  # type: ignore[union-attr]
    index = re.search(
        r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)", plan
    )
    return statistics.median(runs[1:]), index.group(1) if index else "none"


def median_ms(fn: Callable[[], object], repeats: int = 25) -> float:
    fn()  # warm
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--letters", type=int, default=50_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of this benchmark's own")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from agencies.models import Agency
    from agencies.selectors_api import received_page, recipients_page
    from mailbox.constants import MailboxKind
    from mailbox.models import Delivery, Letter, Mailbox

    tag = f"{time.time_ns() % 10**8:08d}"
    started = time.perf_counter()
    with transaction.atomic():
        agency_box = Mailbox.objects.create(kind=MailboxKind.AGENCY, display_name=f"bench {tag}")
        agency = Agency.objects.create(name=f"bench {tag}", mailbox=agency_box)
        first_box, first_letter = Mailbox.objects.count(), Letter.objects.count()
        people = []
        for start in range(0, args.recipients, CHUNK):
            people += Mailbox.objects.bulk_create(
                [
                    Mailbox(kind=MailboxKind.NATURAL, identifier=f"{first_box + i:010d}")
                    for i in range(start, min(start + CHUNK, args.recipients))
                ]
            )
        # LETTERS_AT_ONCE letters fanned out at the same time: their deliveries
        # interleave by id, so one letter's rows are one in LETTERS_AT_ONCE.
        letters = [
            Letter.objects.create(
                tracking_code=f"R{first_letter + n:09d}",
                sender=agency_box,
                sender_name="bench",
                subject="s",
                body="<p>b</p>",
                content_sha256="0" * 64,
                verification_code="0" * 8,
            )
            for n in range(LETTERS_AT_ONCE)
        ]
        letter = letters[0]
        for start in range(0, len(people), CHUNK // LETTERS_AT_ONCE):
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        letter=item, recipient=box, first_read_at=None if i % 10 else timezone.now()
                    )
                    for i, box in enumerate(
                        people[start : start + CHUNK // LETTERS_AT_ONCE], start=start
                    )
                    for item in letters
                ]
            )
        now = timezone.now()
        for start in range(0, args.letters, CHUNK):
            batch = Letter.objects.bulk_create(
                [
                    Letter(
                        tracking_code=f"L{first_letter + LETTERS_AT_ONCE + i:09d}",
                        sender=people[i % len(people)],
                        sender_name="bench",
                        subject="s",
                        body="<p>b</p>",
                        content_sha256="0" * 64,
                        verification_code="0" * 8,
                    )
                    for i in range(start, min(start + CHUNK, args.letters))
                ]
            )
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        letter=item,
                        recipient=agency_box,
                        delivered_at=now - timedelta(seconds=args.letters - start - n),
                    )
                    for n, item in enumerate(batch)
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mailbox_delivery")
        cursor.execute("ANALYZE mailbox_letter")
    seeded = time.perf_counter() - started

    ids = list(Delivery.objects.filter(letter=letter).order_by("pk").values_list("pk", flat=True))

    def recipients(status: str, at: float) -> Callable[[], object]:
        after = ids[int(len(ids) * at)]

        def page() -> object:
            rows, _next = recipients_page(letter=letter, status=status, after=after, limit=1000)
            if not rows:
                raise RuntimeError("an empty recipients page")
            return rows

        return page

    def feed(at: float) -> Callable[[], object]:
        cursor = None
        for _ in range(int(args.letters * at) // 500):
            cursor = received_page(
                agency=agency, kind="incoming", since=None, cursor=cursor, limit=500
            ).next_cursor

        def page() -> object:
            found = received_page(
                agency=agency, kind="incoming", since=None, cursor=cursor, limit=500
            )
            if len(found.items) != 500:
                raise RuntimeError("a short feed page")
            return found

        return page

    cases = {
        f"recipients_{status}_page_1000_at_{int(at * 100)}pct": recipients(status, at)
        for status in ("delivered", "read")
        for at in (0.1, 0.9)
    }
    measured = {name: sql_ms(connection, fn) for name, fn in cases.items()}
    whole = {name: median_ms(fn, repeats=7) for name, fn in cases.items()}
    feeds = {f"incoming_page_500_at_{int(at * 100)}pct": feed(at) for at in (0.1, 0.9)}
    feed_sql = {name: sql_ms(connection, fn) for name, fn in feeds.items()}
    feed_whole = {name: median_ms(fn, repeats=7) for name, fn in feeds.items()}
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX delivery_letter_id_idx")
    try:
        baseline = {name: sql_ms(connection, fn) for name, fn in cases.items()}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                'CREATE INDEX delivery_letter_id_idx ON mailbox_delivery ("letter_id", "id")'
            )
    result: dict[str, object] = {
        "recipients_per_letter": args.recipients,
        "letters_fanned_out_at_once": LETTERS_AT_ONCE,
        "incoming_letters": args.letters,
        "seed_seconds": round(seeded, 1),
    }
    for name, (ms, index) in measured.items():
        base_ms, base_index = baseline[name]
        result[f"{name}_sql_ms"] = f"{ms:.2f} ({index})"
        result[f"{name}_sql_without_letter_id_idx_ms"] = f"{base_ms:.2f} ({base_index})"
        result[f"{name}_sql_ratio_without_over_with"] = round(base_ms / ms, 1)
        result[f"{name}_whole_call_ms"] = round(whole[name], 2)
    for name, (ms, index) in feed_sql.items():
        result[f"{name}_sql_ms"] = f"{ms:.2f} ({index})"
        result[f"{name}_whole_call_ms"] = round(feed_whole[name], 2)
    for name, value in result.items():
        print(f"{name}: {value}")
    print("wrote", write_result("api_pages", result))


if __name__ == "__main__":
    main()
