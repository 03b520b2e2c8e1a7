"""A crisis notice to 100,000 people on PostgreSQL, through the real code path,
against a raw INSERT … SELECT of the same number of SMS rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        python bench/crisis_broadcast.py [--people 100000]

The database is migrated first if it is not (an empty database will do). It
seeds `--people` natural persons (an account, a profile with a mobile and one
of the 31 provinces in turn, an active inbox, a mailbox) once, marked by their
national codes, then measures, each part alone:

- sms: `sms.services.sms_queue_selection` for everyone (what a confirmed
  notice queues: one INSERT … SELECT from the profiles), against a baseline
  INSERT … SELECT of as many rows from generate_series into the same table
  with its indexes; the ratio is sms / baseline;
- stage: `letter_send(selection=person_mailboxes(provinces=None))`, the letter
  stored and its recipients staged in one statement;
- fanout: the `mailbox.fanout` task's work (`letter_fanout`) run here, as a
  worker runs it, until every delivery exists;
- province: the SMS of a notice to one province (1/31 of the people).

Prints the figures and writes bench/results/crisis_broadcast.json; afterwards
the letter, its deliveries and the SMS rows are removed again (raw SQL: a
benchmark database), so it can run again. The people stay.
"""

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import write_result  # noqa: E402
from bench.seed_scale import national_code  # noqa: E402

FIRST_K = 300_000_000  # national_code(k) from here: codes no other seed makes
BATCH = 10_000
T = TypeVar("T")
UNUSABLE = "!"  # noqa: S105 — Django's mark of an unusable password


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(people: int) -> int:
    """`people` bench persons with active inboxes; returns how many were made now."""
    from datetime import date

    from accounts.constants import InboxStatus
    from accounts.models import NaturalPerson, User, UserKind
    from mailbox.constants import MailboxKind
    from mailbox.models import Mailbox
    from payam.constants import Province

    provinces = Province.values
    have = NaturalPerson.objects.filter(first_name="بنچ").count()
    made = 0
    for start in range(have, people, BATCH):
        stop = min(start + BATCH, people)
        codes = [national_code(FIRST_K + k) for k in range(start, stop)]
        users = User.objects.bulk_create(
            [User(username=code, kind=UserKind.NATURAL, password=UNUSABLE) for code in codes]
        )
        NaturalPerson.objects.bulk_create(
            [
                NaturalPerson(
                    user=user,
                    national_code=user.username,
                    first_name="بنچ",
                    last_name=str(start + i),
                    birth_date=date(1980, 1, 1),
                    gender="male",
                    mobile=f"+98990{start + i:07d}",
                    inbox_status=InboxStatus.ACTIVE,
                    province=provinces[(start + i) % len(provinces)],
                )
                for i, user in enumerate(users)
            ]
        )
        Mailbox.objects.bulk_create(
            [
                Mailbox(owner=user, kind=MailboxKind.NATURAL, identifier=user.username)
                for user in users
            ]
        )
        made += len(users)
    return made


def agency() -> tuple[Any, Any]:
    """The bench agency (allowed to broadcast, with a sender) and its admin."""
    from accounts.models import Role, User, UserKind
    from accounts.services import role_grant
    from agencies.models import Agency
    from mailbox.services import agency_mailbox_create
    from sms.models import SenderNumber

    admin, _ = User.objects.get_or_create(
        username="bench-crisis-admin",
        defaults={"kind": UserKind.STAFF, "is_staff": True, "is_superuser": True},
    )
    found = Agency.objects.filter(name="ستاد بحران آزمایشی").first()
    if found is None:
        sender, _ = SenderNumber.objects.get_or_create(
            number="4040999", defaults={"owner_label": "ستاد بحران آزمایشی"}
        )
        found = Agency.objects.create(
            name="ستاد بحران آزمایشی",
            mailbox=agency_mailbox_create(actor=admin, name="ستاد بحران آزمایشی"),
            sender=sender,
            may_broadcast=True,
        )
        role_grant(actor=admin, user=admin, role=Role.AGENCY_ADMIN, organization=found)
    return found, admin


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/payam_bench"),
    )
    args = parser.parse_args()
    setup(args.database_url)

    from django.db import connection, transaction

    from accounts.selectors import people_in_provinces
    from mailbox.constants import LetterCategory
    from mailbox.selectors import person_mailboxes
    from mailbox.services import letter_fanout, letter_send
    from payam.constants import Province
    from sms.constants import SmsKind
    from sms.models import OutboundSMS
    from sms.services import sms_queue_selection

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name PostgreSQL")
    from sms import services as sms_services

    # Queueing is measured, not dispatch: the lanes' doorbell rings nothing here.
    sms_services._ring = lambda lane, *, countdown=0, times=1: None
    seeded, seed_seconds = timed(lambda: seed(args.people))
    print(f"seeded {seeded} people in {seed_seconds:.1f} s")
    the_agency, admin = agency()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def queue_sms(provinces: list[str] | None) -> int:
        with transaction.atomic():
            return sms_queue_selection(
                sender="4040999",
                mobiles=[rows.values("mobile") for rows in people_in_provinces(provinces)],
                body="هشدار آزمایشی: این پیامک برای سنجش کارایی است.",
                kind=SmsKind.URGENT,
                batch_id=uuid.uuid4(),
            ).queued

    def baseline(count: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO sms_outboundsms
                    (sender_id, via_mask, recipient, body, kind, priority, status, parts,
                     attempts, next_attempt_at, idempotency_key, batch_id, gateway,
                     gateway_message_id, error, created_at)
                SELECT s.id, false, '+98991' || lpad(g::text, 7, '0'), %s, 'urgent', 7,
                       'queued', 1, 0, now(), %s || g, %s, '', '', '', now()
                FROM generate_series(1, %s) g, sms_sendernumber s WHERE s.number = '4040999'
                """,
                ["هشدار آزمایشی: این پیامک برای سنجش کارایی است.", "base:", uuid.uuid4(), count],
            )
            return int(cursor.rowcount)

    def clear_sms() -> None:
        """The bench's SMS rows removed (never claimed: no status change or report
        points at them, so the foreign-key triggers are skipped), then VACUUM ANALYZE."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "DELETE FROM sms_outboundsms WHERE sender_id ="
                " (SELECT id FROM sms_sendernumber WHERE number = '4040999')"
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE sms_outboundsms")

    people = args.people
    clear_sms()
    base_rows, base_first = timed(lambda: baseline(people))
    clear_sms()
    sms_rows, sms_seconds = timed(lambda: queue_sms(None))
    clear_sms()
    _rows, base_second = timed(lambda: baseline(people))
    clear_sms()
    base_seconds = min(base_first, base_second)
    province_rows, province_seconds = timed(lambda: queue_sms([Province.TEHRAN]))
    clear_sms()

    def stage() -> Any:
        with transaction.atomic():
            return letter_send(
                actor=admin,
                sender=the_agency.mailbox,
                recipients=(),
                selection=person_mailboxes(provinces=None),
                subject="هشدار آزمایشی",
                body="<p>این نامه برای سنجش کارایی است.</p>",
                category=LetterCategory.NOTICE,
                urgent=True,
            )

    from mailbox.services import doorbell

    doorbell.ring_fanout = lambda letter_id, *, urgent=False: None  # run here, not via Celery
    doorbell.ring_notify = lambda letter_id, *, bulk: None
    letter, stage_seconds = timed(stage)
    delivered, fanout_seconds = timed(lambda: letter_fanout(letter_id=letter.pk))
    result = {
        "people": people,
        "sms_rows": sms_rows,
        "sms_seconds": round(sms_seconds, 3),
        "baseline_rows": base_rows,
        "baseline_seconds": round(base_seconds, 3),
        "sms_ratio": round(sms_seconds / base_seconds, 2),
        "sms_per_second": round(sms_rows / sms_seconds),
        "province_sms_rows": province_rows,
        "province_sms_seconds": round(province_seconds, 3),
        "stage_recipients": letter.recipient_count,
        "stage_seconds": round(stage_seconds, 3),
        "fanout_deliveries": delivered,
        "fanout_seconds": round(fanout_seconds, 3),
        "left_sms_rows": OutboundSMS.objects.filter(sender__number="4040999").count(),
    }
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    print(f"wrote {write_result('crisis_broadcast', result)}")
    # The bench letter's rows go (nothing else points at them: the foreign-key
    # triggers are skipped), so the next run starts from the same tables.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM mailbox_delivery WHERE letter_id = %s", [letter.pk])
        cursor.execute("DELETE FROM mailbox_letterrecipient WHERE letter_id = %s", [letter.pk])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE mailbox_delivery")


if __name__ == "__main__":
    main()
