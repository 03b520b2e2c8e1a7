"""An agency's CSV campaign of 100,000 rows from upload to the last delivery,
against a raw COPY of the same deliveries, on the national-scale database
(bench/seed_scale.py).

    python bench/campaign.py [--rows 100000] [--profile PART] [--keep] [--redis-url …]

The real path is what an agency member does, through the portal's own code:
(a) the compose form POSTed as multipart to /agency/compose/ through Django's
test Client with the production settings, signed in with the second factor (the
CSV read and checked, stored, the draft made); (b) the composer confirms and a
second member approves (the four eyes above CAMPAIGN_APPROVAL_THRESHOLD), both
POSTs of their buttons; (c) `agencies.services.campaigns.campaign_send`, the
`agencies.campaign_send` task's work (the CSV read again, `letter_send` with the
merge values: every code checked, the letter stored, the recipients staged with
COPY); (d) the `mailbox.fanout` task run here, as a worker runs it, flat out
(BULK_PAUSE_RATIO=0), until the letter's last delivery. The broker is not part
of the measurement: the rings of the tasks are recorded instead of published.

The CSV is what a tax office's Excel writes: UTF-8 with a BOM, CRLF, a Persian
header for the code, the names, amounts in Persian digits and a Jalali due date;
the codes are natural persons' mailboxes of the scale database, picked and
shuffled as bench/fanout.py picks them, a tenth of them without their leading
zeros as a spreadsheet leaves them.

The baseline is bench/fanout.py's: a COPY of the same (letter, recipient, …)
delivery rows into mailbox_delivery with all its indexes, once before and once
after, the faster counts. A second COPY with each row's merge values (the JSON
the real deliveries carry) is printed alongside. Writes bench/results/campaign.json.
Afterwards every row the benchmark made is removed again with raw SQL (the
letters and their deliveries, the campaign and its history, the bench agency,
its members, their audit rows, the stored CSV), so the database stays as seeded;
`--keep` leaves them. `--profile upload|approve|send|fanout` runs that part under cProfile
and prints where its time goes.
"""

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import (  # noqa: E402
    admin,
    baseline_letter,
    check_letter,
    copy_deliveries,
    recipients,
    remove,
)
from bench.scale import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    setup_django,
    write_result,
)

HOST = "127.0.0.1"
AGENCY_NAME = "سازمان سنجش کارایی (آزمایش)"
SENDER_NUMBER = "40409990"
MEMBERS = ("bench-campaign-composer", "bench-campaign-approver")
SUBJECT = "اخطاریه‌ی {name}"
BODY = (
    "{name} گرامی،\n\n"
    "بدهی مالیاتی شما {amount} ریال است و مهلت پرداخت آن {due} است. "
    "پس از این تاریخ جریمه‌ی دیرکرد افزوده می‌شود."
)
FIRST_NAMES = ("مریم", "علی", "زهرا", "حسین", "فاطمه", "محمد", "نرگس", "رضا", "سارا", "امیر")
LAST_NAMES = ("احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "قاسمی", "صادقی")
FA_DIGITS = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")

T = TypeVar("T")


@dataclass
class Bench:
    """What the benchmark made, for the cleanup."""

    audit_seq: int = 0
    agency_id: int | None = None
    mailbox_id: int | None = None
    sender_id: int | None = None
    users: list[int] = field(default_factory=list)
    campaigns: list[int] = field(default_factory=list)
    letters: list[int] = field(default_factory=list)


def merge_values(i: int) -> dict[str, str]:
    """The merge columns of row `i`: a name, an amount and a due date, in Persian."""
    rng = random.Random(i)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    amount = f"{rng.randrange(100_000, 90_000_000, 1000):,}".translate(FA_DIGITS)
    due = f"1405/{1 + i % 12:02d}/{1 + i % 28:02d}".translate(FA_DIGITS)
    return {"name": name, "amount": amount, "due": due}


def make_csv(codes: list[str]) -> bytes:
    """The file as Excel saves «CSV UTF-8»: a BOM, CRLF, the code column's Persian
    name; a tenth of the codes that start with zeros lost them (8 or 9 digits left)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["کد ملی", "name", "amount", "due"])
    for i, code in enumerate(codes):
        shown = code
        if i % 10 == 0 and code.startswith("0") and len(code.lstrip("0")) >= 8:
            shown = code.lstrip("0")
        values = merge_values(i)
        writer.writerow([shown, values["name"], values["amount"], values["due"]])
    return out.getvalue().encode("utf-8-sig")


def make_agency(bench: Bench) -> tuple[Any, Any, Any]:
    """A bench agency with its mailbox and sender, and two members allowed to send
    (its admin composes, a sender approves), each signed in with the second factor
    on a test Client of their own."""
    from django.test import Client

    from accounts.models import Role, User, UserKind
    from accounts.services import role_grant
    from accounts.testing import sign_in_with_second_factor
    from agencies.constants import AgencyKind, Province
    from agencies.models import Agency
    from mailbox.models import Mailbox
    from sms.constants import SenderKind
    from sms.models import SenderNumber

    mailbox = Mailbox.objects.create(kind="agency", display_name=AGENCY_NAME, accepts_letters=True)
    bench.mailbox_id = mailbox.pk
    sender = SenderNumber.objects.create(
        number=SENDER_NUMBER, owner_label=AGENCY_NAME, kind=SenderKind.AGENCY
    )
    bench.sender_id = sender.pk
    agency = Agency.objects.create(
        name=AGENCY_NAME,
        kind=AgencyKind.ORGANIZATION,
        province=Province.TEHRAN,
        city="تهران",
        mailbox=mailbox,
        sender=sender,
    )
    bench.agency_id = agency.pk
    clients = []
    for username, role in zip(MEMBERS, (Role.AGENCY_ADMIN, Role.AGENCY_SENDER), strict=True):
        user = User.objects.create_user(
            username=username, kind=UserKind.STAFF, first_name="سنجش", last_name=role.label
        )
        bench.users.append(user.pk)
        role_grant(actor=admin(), user=user, role=role, organization=agency)
        client = Client(HTTP_HOST=HOST)
        sign_in_with_second_factor(client, user)
        clients.append(client)
    return agency, clients[0], clients[1]


def profiled(part: str, wanted: list[str], fn: Callable[[], T]) -> T:
    """fn(), under cProfile when `part` is one asked for; prints its top functions."""
    if part not in wanted:
        return fn()
    profile = cProfile.Profile()
    result = profile.runcall(fn)
    out = Path(tempfile.gettempdir()) / f"bench-campaign-{part}.prof"
    profile.dump_stats(out)
    print(f"--- cProfile of {part} ({out}) ---")
    stats = pstats.Stats(profile, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return result


def copy_with_merge(letter_id: int, rows: list[tuple[str, int, int | None]]) -> float:
    """COPY of the same delivery rows with each one's merge values (what the real
    deliveries carry); seconds taken."""
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
            " notification_status, archived, starred, merge) FROM STDIN"
        ) as copy,
    ):
        batch: list[str] = []
        for i, (_code, mailbox_id, owner_id) in enumerate(rows):
            status = "pending" if owner_id else "skipped"
            merge = json.dumps(merge_values(i), ensure_ascii=False, separators=(",", ":"))
            batch.append(
                f"{letter_id}\t{mailbox_id}\tdelivered\t{at}\t\t{status}\tf\tf\t"
                + merge.replace("\\", "\\\\")
                + "\n"
            )
            if len(batch) >= 20_000:
                copy.write("".join(batch))
                batch.clear()
        if batch:
            copy.write("".join(batch))
    return time.perf_counter() - started


def cleanup(bench: Bench) -> float:
    """Every row the benchmark made, removed with raw SQL; returns seconds."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if bench.campaigns:
            cursor.execute(
                "SELECT code FROM agencies_campaign WHERE id = ANY(%s)", [bench.campaigns]
            )
            codes = [code for (code,) in cursor.fetchall()]
            cursor.execute(
                "DELETE FROM agencies_campaignchange WHERE campaign_id = ANY(%s)", [bench.campaigns]
            )
            cursor.execute(
                "DELETE FROM agencies_campaignattachment WHERE campaign_id = ANY(%s)",
                [bench.campaigns],
            )
            cursor.execute("DELETE FROM agencies_campaign WHERE id = ANY(%s)", [bench.campaigns])
            cursor.execute(
                "DELETE FROM payam_trackingcode WHERE kind = 'campaign' AND code = ANY(%s)",
                [codes],
            )
    if bench.letters:
        remove(bench.letters, reindex=False)
    with transaction.atomic(), connection.cursor() as cursor:
        # The audit log is append-only for the portal; its tail written by this run
        # goes (the hash chain before it stays whole).
        cursor.execute("DELETE FROM payam_auditevent WHERE seq > %s", [bench.audit_seq])
        if bench.users:
            # Whatever else signing in left for the members (login events, sessions,
            # their authenticator app, the role grants): every table that points at them.
            cursor.execute(
                "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
                " WHERE c.contype = 'f' AND c.confrelid = 'accounts_user'::regclass"
            )
            for table, column in cursor.fetchall():
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608 — the catalog's names
                    [bench.users],
                )
        if bench.agency_id:
            cursor.execute("DELETE FROM agencies_agency WHERE id = %s", [bench.agency_id])
        if bench.sender_id:
            cursor.execute("DELETE FROM sms_sendernumber WHERE id = %s", [bench.sender_id])
        if bench.mailbox_id:
            cursor.execute("DELETE FROM mailbox_mailbox WHERE id = %s", [bench.mailbox_id])
        if bench.users:
            cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [bench.users])
    return time.perf_counter() - started


def left_over() -> Bench | None:
    """What a run that died before its cleanup (or ran with --keep) left: found by
    the bench agency's name and the members' usernames. Nothing else writes to this
    database, so the audit rows from the agency's making on are that run's."""
    from django.db import connection

    from accounts.models import User
    from agencies.models import Agency, Campaign
    from mailbox.models import Letter
    from payam.models import AuditEvent

    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    users = list(User.objects.filter(username__in=MEMBERS).values_list("pk", flat=True))
    if agency is None and not users:
        return None
    bench = Bench(users=users)
    if agency is not None:
        bench.agency_id, bench.mailbox_id, bench.sender_id = (
            agency.pk,
            agency.mailbox_id,
            agency.sender_id,
        )
        bench.campaigns = list(Campaign.objects.filter(agency=agency).values_list("pk", flat=True))
        bench.letters = list(
            Letter.objects.filter(sender_id=agency.mailbox_id).values_list("pk", flat=True)
        )
        since = AuditEvent.objects.filter(created_at__gte=agency.created_at).order_by("seq")
        first = since.values_list("seq", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(seq), 0) FROM payam_auditevent")
            (last,) = cursor.fetchone()
        bench.audit_seq = first - 1 if first is not None else last
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(seq), 0) FROM payam_auditevent")
            (bench.audit_seq,) = cursor.fetchone()
    return bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=("upload", "approve", "send", "fanout"),
        help="run this part under cProfile (may be given more than once)",
    )
    parser.add_argument("--keep", action="store_true", help="leave what the benchmark made")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="bench-campaign-media-")
    os.environ["MEDIA_ROOT"] = media
    setup_django(args.database_url, args.redis_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.BULK_PAUSE_RATIO = 0.0  # flat out, as bench/fanout.py measures it

    from agencies.models import Campaign
    from agencies.services import campaigns as campaign_service
    from mailbox import services, tasks

    found = left_over()
    if found is not None:
        print("removing what an interrupted (or kept) run left…", flush=True)
        cleanup(found)
    call_command("collectstatic", interactive=False, verbosity=0)  # the production manifest
    rows = recipients(args.rows)
    if not rows:
        raise SystemExit("the scale database is empty: run bench/seed_scale.py first")
    count = len(rows)
    if count < args.rows:
        print(f"only {count:,} natural mailboxes in the database: the file has those")
    started = time.perf_counter()
    data = make_csv([code for code, _pk, _owner in rows])
    made = time.perf_counter() - started
    print(f"CSV of {count:,} rows, {len(data) / 1e6:.1f} MB, made in {made:.1f} s")

    # The broker is not part of this measurement: record the rings instead.
    rung: dict[str, list[int]] = {"campaign": [], "fanout": [], "notify": []}
    campaign_service._ring_send = lambda campaign_id: rung["campaign"].append(campaign_id)
    services.doorbell.ring_fanout = lambda letter_id, *, urgent=False: rung["fanout"].append(
        letter_id
    )
    services.doorbell.ring_notify = lambda letter_id, *, bulk: rung["notify"].append(letter_id)

    bench = Bench()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(seq), 0) FROM payam_auditevent")
        (bench.audit_seq,) = cursor.fetchone()
    removed: float | None = None
    try:
        agency, composer, approver = make_agency(bench)

        print(f"COPY baseline 1: {count:,} deliveries…", flush=True)
        first = baseline_letter(agency.mailbox, count)
        bench.letters.append(first.pk)
        copy_before = copy_deliveries(first.pk, rows)
        print(f"  {copy_before:.1f} s", flush=True)

        # A running server has its URLconf imported and its templates compiled; the
        # member opens the form before sending it. Neither is part of the upload.
        warm = composer.get("/agency/compose/", secure=True)
        if warm.status_code != 200:
            raise SystemExit(f"the compose page answered {warm.status_code}")

        print("(a) POST /agency/compose/ with the CSV…", flush=True)
        t_start = time.perf_counter()
        upload = io.BytesIO(data)
        upload.name = "bedehi-1405.csv"
        form = {
            "recipients": "",
            "csv_file": upload,
            "subject": SUBJECT,
            "body": BODY,
            "category": "notice",
            "reply_allowed": "on",
        }
        response = profiled(
            "upload",
            args.profile,
            lambda: composer.post("/agency/compose/", form, secure=True),
        )
        t_upload = time.perf_counter()
        if response.status_code != 302:
            body = response.content.decode(errors="replace")
            raise SystemExit(f"compose answered {response.status_code}:\n{body[:3000]}")
        code = response["Location"].rstrip("/").rsplit("/", 1)[1]
        campaign = Campaign.objects.get(code=code)
        bench.campaigns.append(campaign.pk)
        print(f"  {t_upload - t_start:.1f} s (campaign {code}, {campaign.recipient_count:,})")

        print("(b) confirm, then a second member's approval…", flush=True)
        t_b = time.perf_counter()

        def decide() -> None:
            for client, action in ((composer, "confirm"), (approver, "approve")):
                answer = client.post(f"/agency/campaigns/{code}/{action}/", secure=True)
                if answer.status_code != 302:
                    raise SystemExit(f"{action} answered {answer.status_code}")

        profiled("approve", args.profile, decide)
        t_approved = time.perf_counter()
        campaign.refresh_from_db()
        if campaign.status != "sending" or rung["campaign"] != [campaign.pk]:
            raise SystemExit(f"after the approval the campaign is {campaign.status}")
        print(f"  {t_approved - t_b:.2f} s")

        print("(c) campaign_send (the CSV again, letter_send, COPY staging)…", flush=True)
        t_c = time.perf_counter()
        campaign = profiled(
            "send",
            args.profile,
            lambda: campaign_service.campaign_send(campaign_id=campaign.pk),
        )
        t_sent = time.perf_counter()
        if campaign.status != "sent" or campaign.letter_id is None:
            raise SystemExit(f"campaign_send left it {campaign.status}: {campaign.error}")
        letter_id: int = campaign.letter_id
        bench.letters.append(letter_id)
        print(f"  {t_sent - t_c:.1f} s (letter {letter_id})")

        print("(d) mailbox.fanout task…", flush=True)
        t_d = time.perf_counter()
        delivered = profiled("fanout", args.profile, lambda: tasks.fanout(letter_id))
        t_end = time.perf_counter()
        print(f"  {t_end - t_d:.1f} s ({delivered:,} delivered)", flush=True)
        checks = check_letter(letter_id, count)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT merge FROM mailbox_delivery WHERE letter_id = %s AND recipient_id = %s",
                [letter_id, rows[-1][1]],
            )
            (merge,) = cursor.fetchone()
        if isinstance(merge, str):  # Django reads jsonb as text on a raw cursor
            merge = json.loads(merge)
        checks["merge_of_last_row"] = merge == merge_values(count - 1)
        if not checks["merge_of_last_row"]:
            print("  merge stored:", merge, "expected:", merge_values(count - 1))

        print(f"COPY baseline 2: {count:,} deliveries…", flush=True)
        second = baseline_letter(agency.mailbox, count)
        bench.letters.append(second.pk)
        copy_after = copy_deliveries(second.pk, rows)
        print(f"  {copy_after:.1f} s", flush=True)
        third = baseline_letter(agency.mailbox, count)
        bench.letters.append(third.pk)
        copy_merge = copy_with_merge(third.pk, rows)
        print(f"  with merge values: {copy_merge:.1f} s", flush=True)
    finally:
        if not args.keep:
            removed = cleanup(bench)
        shutil.rmtree(media, ignore_errors=True)

    parts = {
        "upload": t_upload - t_start,
        "confirm_and_approve": t_approved - t_b,
        "campaign_send": t_sent - t_c,
        "fanout_task": t_end - t_d,
    }
    total = t_end - t_start
    copy_s = min(copy_before, copy_after)
    ratio = total / copy_s
    result = {
        "database_url": args.database_url,
        "rows": count,
        "csv_bytes": len(data),
        "chunk": settings.LETTER_FANOUT_CHUNK,
        "profiled": args.profile or None,
        "seconds": {
            **{name: round(value, 2) for name, value in parts.items()},
            "upload_to_last_delivery": round(total, 2),
            "copy_before": round(copy_before, 2),
            "copy_after": round(copy_after, 2),
            "copy_baseline": round(copy_s, 2),
            "copy_with_merge": round(copy_merge, 2),
            "cleanup": round(removed, 2) if removed is not None else None,
        },
        "ratio_total_vs_copy": round(ratio, 2),
        "ratio_total_vs_copy_with_merge": round(total / copy_merge, 2),
        "ratio_parts_vs_copy": {name: round(value / copy_s, 2) for name, value in parts.items()},
        "checks": checks,
        "rings": {name: len(ids) for name, ids in rung.items()},
        "kept": args.keep,
        "at": datetime.now().astimezone().isoformat(),
    }
    out = write_result("campaign", result)
    print(f"CSV campaign of {count:,} rows, upload to last delivery")
    for name, label in (
        ("upload", "(a) POST /agency/compose/"),
        ("confirm_and_approve", "(b) confirm + second approval"),
        ("campaign_send", "(c) campaign_send (read + stage)"),
        ("fanout_task", "(d) mailbox.fanout task"),
    ):
        print(f"  {label:34s} {parts[name]:7.2f} s  {parts[name] / copy_s:5.2f}x COPY")
    print(f"  {'upload to last delivery':34s} {total:7.2f} s  {count / total:,.0f} rows/s")
    print(
        f"  {'raw COPY of the same rows':34s} {copy_s:7.2f} s  {count / copy_s:,.0f} rows/s"
        f"  (before {copy_before:.2f} s, after {copy_after:.2f} s; with merge {copy_merge:.2f} s)"
    )
    print(f"  {'ratio upload-to-delivery / COPY':34s} {ratio:7.2f}x")
    print(
        f"  exactly one delivery each        {checks['exactly_one_each']}"
        f"  ({checks['deliveries']:,} deliveries; merge values kept:"
        f" {checks['merge_of_last_row']})"
    )
    print(f"wrote {out.relative_to(out.parents[2])}")
    if not (checks["exactly_one_each"] and checks["merge_of_last_row"]):
        raise SystemExit("FAILED: the campaign did not deliver exactly once, with its values")


if __name__ == "__main__":
    main()
