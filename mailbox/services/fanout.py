"""The fan-out of a large letter: staged recipients, one INSERT … SELECT a chunk."""

import json
import time
from collections.abc import Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from payam.audit import audit_record

from ..constants import (
    FANOUT_TRANSITIONS,
    FanoutState,
    NotifyStatus,
)
from ..events import fanout_finished
from ..exceptions import InvalidTransition
from ..models import (
    Delivery,
    Letter,
    LetterRecipient,
    Mailbox,
)
from . import doorbell
from .pacing import pace
from .reading import forget_inbox_caches
from .recipients import LOOKUP_BATCH, Target, _create_deliveries, _mailboxes_for, _resolve

COPY_BLOCK = 20_000  # staged recipients per write to the COPY stream


def _stage_recipients(letter: Letter, targets: Sequence[Target]) -> None:
    """The recipients of a large letter, in order (`seq`), for the fan-out task:
    one COPY on PostgreSQL, batched inserts elsewhere."""
    if connection.vendor == "postgresql":
        # COPY's text format, written in blocks: every value is an id, a kind from
        # MailboxKind or an identifier parse_recipients checked to be digits, so
        # nothing needs escaping but the merge values' JSON (_copy_json).
        lines = (
            f"{letter.pk}\t{seq}\t{t.kind}\t{t.identifier}\t\\N\t{_copy_json(t.merge)}\n"
            if t.mailbox is None
            else f"{letter.pk}\t{seq}\t\t\t{t.mailbox.pk}\t{_copy_json(t.merge)}\n"
            for seq, t in enumerate(targets)
        )
        copy_sql = (
            "COPY mailbox_letterrecipient (letter_id, seq, kind, identifier, mailbox_id, merge)"
            " FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            while block := "".join(islice(lines, COPY_BLOCK)):
                copy.write(block)
        return
    LetterRecipient.objects.bulk_create(
        [
            LetterRecipient(
                letter=letter,
                seq=seq,
                kind=t.kind if t.mailbox is None else "",
                identifier=t.identifier if t.mailbox is None else "",
                mailbox=t.mailbox,
                merge=t.merge,
            )
            for seq, t in enumerate(targets)
        ],
        batch_size=LOOKUP_BATCH,
    )


def _stage_selection(letter: Letter, selection: "QuerySet[Mailbox]") -> int:
    """The recipients of a letter to a selection of mailboxes (a crisis notice to
    a province, or to everyone), staged in one INSERT … SELECT in mailbox order:
    no mailbox passes through Python, whatever the count. Returns how many."""
    sql, params = selection.values("pk").query.sql_with_params()
    table = LetterRecipient._meta.db_table
    statement = f"""
        WITH sel(id) AS ({sql})
        INSERT INTO {table} (letter_id, seq, kind, identifier, mailbox_id, merge)
        SELECT %s, row_number() OVER (ORDER BY sel.id) - 1, '', '', sel.id, NULL FROM sel
    """  # noqa: S608 — the table from the model, the selection's SQL from Django
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, letter.pk])
        if cursor.rowcount >= 0 and connection.vendor == "postgresql":
            return int(cursor.rowcount)
    # SQLite does not count the rows of an INSERT that starts with WITH.
    return LetterRecipient.objects.filter(letter=letter).count()


def _copy_json(values: dict[str, str] | None) -> str:
    """Merge values as a COPY text-format field: JSON escapes every control
    character, so only its backslashes need doubling; NULL when there are none."""
    if values is None:
        return "\\N"
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).replace("\\", "\\\\")


def _deliver_staged(letter: Letter, *, start: int, stop: int, at: datetime) -> int:
    """Deliveries for the staged recipients with start <= seq < stop, a delivery
    already there left alone; returns how many staged recipients the range held
    (0: the letter is done). Codes that have no mailbox yet get one (owned by
    their account, or a placeholder). On PostgreSQL the deliveries are one
    INSERT … SELECT joining the staged rows to their mailboxes, so no row passes
    through Python."""
    in_range = LetterRecipient.objects.filter(letter=letter, seq__gte=start, seq__lt=stop)
    if connection.vendor != "postgresql":
        rows = list(in_range.select_related("mailbox").order_by("seq"))
        targets = [
            Target(kind=row.kind, identifier=row.identifier, mailbox=row.mailbox)
            if row.mailbox is None
            else Target(kind=row.mailbox.kind, identifier="", mailbox=row.mailbox)
            for row in rows
        ]
        _create_deliveries(letter, _resolve(targets), at=at, merge=[row.merge for row in rows])
        return len(rows)
    staged, resolved, owners = _insert_deliveries_sql(letter, start=start, stop=stop, at=at)
    if resolved < staged:
        # Codes with no mailbox yet (people who have not registered, mostly): make
        # them, then the same chunk again, which skips what it already delivered.
        missing: dict[str, set[str]] = {}
        # `identifier <> ''` lets PostgreSQL use mailbox_identifier_unique_per_kind.
        has_mailbox = Mailbox.objects.filter(
            kind=OuterRef("kind"), identifier=OuterRef("identifier")
        ).exclude(identifier="")
        without_mailbox = in_range.filter(mailbox__isnull=True).exclude(Exists(has_mailbox))
        for kind, identifier in without_mailbox.values_list("kind", "identifier"):
            missing.setdefault(kind, set()).add(identifier)
        for kind, identifiers in missing.items():
            _mailboxes_for(kind, identifiers)
        staged, _resolved, owners = _insert_deliveries_sql(letter, start=start, stop=stop, at=at)
    forget_inbox_caches(owners)
    return staged


def _insert_deliveries_sql(
    letter: Letter, *, start: int, stop: int, at: datetime
) -> tuple[int, int, list[int]]:
    """PostgreSQL: the deliveries of one chunk of staged recipients. Every column
    but the recipient and the notification status takes the value a new Delivery
    has (the model's defaults), cast to its column type. A delivery already there
    (a replayed chunk) is skipped by ON CONFLICT on `delivery_once`: a probe of
    that index per row, never a scan of the letter's deliveries so far. Returns
    how many staged rows the chunk held, how many of them have a mailbox
    (delivered now or before), and the owners of those mailboxes."""
    proto = Delivery(letter=letter, delivered_at=at, urgent=letter.is_urgent)
    columns, values = [], []
    params: dict[str, Any] = {
        "letter": letter.pk,
        "start": start,
        "stop": stop,
        "skipped": NotifyStatus.SKIPPED.value,
        "pending": NotifyStatus.PENDING.value,
    }
    for field in Delivery._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "recipient":
            values.append("src.id")
        elif field.name == "merge":
            values.append("src.merge")
        elif field.name == "notification_status":
            values.append("CASE WHEN src.owner_id IS NULL THEN %(skipped)s ELSE %(pending)s END")
        else:
            name = f"v_{field.column}"
            params[name] = field.get_db_prep_save(getattr(proto, field.attname), connection)
            values.append(f"%({name})s::{field.db_type(connection)}")
    chunk = "r.letter_id = %(letter)s AND r.seq >= %(start)s AND r.seq < %(stop)s"
    # LATERAL: one probe of the (kind, identifier) index per staged row, whatever
    # the statistics of the staging table say — a hash join would read millions
    # of mailboxes for a chunk of thousands.
    sql = f"""
        WITH src AS (
            SELECT m.id, m.owner_id, r.merge
            FROM mailbox_letterrecipient r JOIN mailbox_mailbox m ON m.id = r.mailbox_id
            WHERE {chunk}
            UNION ALL
            SELECT m.id, m.owner_id, r.merge
            FROM mailbox_letterrecipient r,
            LATERAL (
                SELECT m.id, m.owner_id FROM mailbox_mailbox m
                WHERE m.kind = r.kind AND m.identifier = r.identifier AND m.identifier <> ''
            ) m
            WHERE {chunk} AND r.mailbox_id IS NULL
        ), inserted AS (
            INSERT INTO mailbox_delivery ({", ".join(columns)})
            SELECT {", ".join(values)} FROM src
            ON CONFLICT DO NOTHING
        )
        SELECT (SELECT count(*) FROM mailbox_letterrecipient r WHERE {chunk}),
               count(*),
               coalesce(array_agg(src.owner_id) FILTER (WHERE src.owner_id IS NOT NULL), '{{}}')
        FROM src
    """  # noqa: S608 — column names from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        staged, resolved, owners = cursor.fetchone()
    return int(staged), int(resolved), list(owners)


def fanout_move(letter: Letter, *, to: str, at: datetime, done: int | None = None) -> bool:
    """Status-guarded: moves the letter's fan-out from the state it was read in
    to `to` (FANOUT_TRANSITIONS), with the progress made; False, changing
    nothing, when another run moved it first."""
    if to not in FANOUT_TRANSITIONS[letter.fanout_state]:
        raise InvalidTransition("A fan-out", letter.fanout_state, to)
    fields: dict[str, Any] = {"fanout_state": to, "fanout_touched_at": at}
    if done is not None:
        fields["fanout_done"] = done
    moved = Letter.objects.filter(pk=letter.pk, fanout_state=letter.fanout_state).update(**fields)
    if moved:
        for name, value in fields.items():
            setattr(letter, name, value)
    return bool(moved)


def letter_fanout(*, letter_id: int, chunk: int | None = None) -> int:
    """Deliver a large letter's staged recipients in chunks, one transaction per
    chunk, recording progress in `fanout_done`. Run again after a crash it goes
    on from where it stopped; a chunk half-written before a crash was rolled
    back, and a delivery already there is skipped, so every recipient gets
    exactly one. Returns how many recipients this run delivered."""
    size = chunk or settings.LETTER_FANOUT_CHUNK
    delivered = 0
    while True:
        started = time.monotonic()
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=letter_id)
            if letter.fanout_state == FanoutState.DONE:
                return delivered
            now = timezone.now()
            start = letter.fanout_done
            staged = _deliver_staged(letter, start=start, stop=start + size, at=now)
            if not staged:
                fanout_move(letter, to=FanoutState.DONE, at=now)
                LetterRecipient.objects.filter(letter=letter).delete()
                audit_record(
                    actor=None,
                    action="letter.fanout_done",
                    target=letter,
                    data={"recipients": letter.fanout_done},
                )
                fanout_finished.send(sender=Letter, letter=letter)
                return delivered
            fanout_move(letter, to=FanoutState.RUNNING, at=now, done=start + staged)
            transaction.on_commit(lambda: doorbell.ring_notify(letter_id, bulk=True))
        delivered += staged
        pace(since=started)
