"""Every write of the mailbox app.

    letter_send(actor=clerk, sender=agency.mailbox, recipients=["0012345679"],
                subject="…", body="<p>…</p>", category=LetterCategory.NOTICE)

is the one way a letter is sent: it checks who may send, every recipient and
every attachment before it stores anything, then stores the letter once and one
Delivery per recipient in one transaction (or stages the recipients of a large
letter for the fan-out task), and rings the notifier after the commit.
See docs/mailbox.md.
"""

import gc
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, UserKind
from accounts.selectors import profile_of
from payam import request_context
from payam.audit import audit_record
from payam.identifiers import clean_legal_id, clean_national_code, is_valid_national_code
from payam.phone import normalize_mobile
from payam.text import localized_digits, normalize_digits, normalize_text
from payam.tracking import TrackingKind, issue
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.exceptions import SmsError
from sms.services import queue_sms, queue_sms_bulk

from .constants import (
    PERSON_KINDS,
    PROXY_LIVE_PER_MAILBOX,
    PROXY_MAX_DAYS,
    PROXY_TRANSITIONS,
    SUBJECT_MAX_LENGTH,
    AccessAction,
    FanoutState,
    LetterCategory,
    MailboxKind,
    NotifyStatus,
    ProxyScope,
    ProxyStatus,
    ReaderRole,
)
from .content import (
    CheckedAttachment,
    canonical_content,
    check_attachments,
    clean_body,
    content_sha256,
    plain_text_body,
    verification_code,
)
from .exceptions import (
    InvalidLetter,
    InvalidProxy,
    InvalidProxyTransition,
    InvalidRecipients,
    LetterNotAccepted,
    NoMailbox,
    NoRecipients,
    RecipientProblem,
    ReplyNotAllowed,
)
from .models import (
    AccessRecord,
    Attachment,
    Delivery,
    Letter,
    LetterRecipient,
    Mailbox,
    ProxyGrant,
)
from .permissions import Actor, may_read, may_reply, may_send_as
from .selectors import inbox_access, senders_cache_key, unread_cache_key

logger = logging.getLogger("payam.mailbox")

LOOKUP_BATCH = 1000  # identifiers per IN (…) lookup
COPY_BLOCK = 20_000  # staged recipients per write to the COPY stream
NOTIFY_BATCH = 500  # deliveries notified per transaction
SMS_SENDER_NAME_MAX = 60
MAILBOX_KIND_OF_USER = {UserKind.NATURAL: MailboxKind.NATURAL, UserKind.LEGAL: MailboxKind.LEGAL}
USER_KIND_OF_MAILBOX: dict[str, str] = {
    kind: user_kind for user_kind, kind in MAILBOX_KIND_OF_USER.items()
}
BULK_SMS_NAMESPACE = uuid.UUID("5b0e3f0a-6a52-4d8e-9f0e-6d61696c626f")
# A reply's subject is the answered one after this (stored, so not translated).
REPLY_PREFIX = "پاسخ: "


# --- mailboxes -------------------------------------------------------------------------------


def mailbox_for_user(*, user: User) -> Mailbox:
    """The mailbox of a natural or legal person's account, made on first need. A
    placeholder holding the same national code / ID (letters sent before the
    person registered) is bound to the account instead, so no letter is lost.
    Raises NoMailbox for staff accounts."""
    kind = MAILBOX_KIND_OF_USER.get(user.kind)  # type: ignore[call-overload]
    if kind is None:
        raise NoMailbox
    existing = Mailbox.objects.filter(owner=user).first()
    if existing is not None:
        return existing
    identifier = user.username
    with transaction.atomic():
        placeholder = (
            Mailbox.objects.select_for_update().filter(kind=kind, identifier=identifier).first()
        )
        if placeholder is not None:
            if placeholder.owner_id is not None and placeholder.owner_id != user.pk:
                raise NoMailbox(_("این شناسه به کارپوشه‌ی حساب دیگری متصل است."))
            placeholder.owner = user
            placeholder.display_name = user.display_name[:200]
            placeholder.save(update_fields=["owner", "display_name"])
            forget_unread_counts([user.pk])
            audit_record(
                actor=user,
                action="mailbox.bind",
                target=placeholder,
                data={"letters_waiting": Delivery.objects.filter(recipient=placeholder).count()},
            )
            return placeholder
        try:
            with transaction.atomic():
                mailbox = Mailbox.objects.create(
                    owner=user, kind=kind, identifier=identifier, display_name=user.display_name
                )
        except IntegrityError:
            # Made a moment ago by a concurrent request (or a letter's send).
            return Mailbox.objects.get(owner=user)
        audit_record(actor=user, action="mailbox.create", target=mailbox)
        return mailbox


# --- recipients ------------------------------------------------------------------------------


class Target(NamedTuple):
    """A recipient as given, checked: either a saved mailbox or a (kind, identifier).
    A tuple, not a dataclass: a campaign makes a million of them."""

    kind: str
    identifier: str
    mailbox: Mailbox | None = None

    @property
    def key(self) -> tuple[str, str]:
        if self.identifier:
            return (self.kind, self.identifier)
        assert self.mailbox is not None  # noqa: S101 — built so
        return ("#", str(self.mailbox.pk))


def _target(value: str | Mailbox) -> Target:
    if isinstance(value, Mailbox):
        if value.pk is None:
            raise ValidationError(_("این کارپوشه ذخیره نشده است."))
        return Target(kind=value.kind, identifier=value.identifier, mailbox=value)
    if isinstance(value, str) and len(value) == 10 and is_valid_national_code(value):
        return Target(kind=MailboxKind.NATURAL, identifier=value)  # clean as given
    digits = normalize_digits(str(value))
    if len(digits) == 11:
        return Target(kind=MailboxKind.LEGAL, identifier=clean_legal_id(digits))
    if len(digits) == 10 or not digits.isdigit():
        return Target(kind=MailboxKind.NATURAL, identifier=clean_national_code(digits))
    raise ValidationError(_("نه کد ملی ۱۰ رقمی است و نه شناسه‌ی ملی ۱۱ رقمی."), code="length")


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a campaign's list is checked: a million
    new tuples set off full collections that walk every object in the process
    (a third of the time at that size), and tuples of strings make no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_recipients(recipients: Iterable[str | Mailbox]) -> list[Target]:
    """Each recipient checked (checksum of codes and IDs) and duplicates dropped,
    in the order given. Raises InvalidRecipients listing every bad one, or NoRecipients."""
    targets: list[Target] = []
    seen: set[tuple[str, str]] = set()
    problems: list[RecipientProblem] = []
    with _cyclic_gc_paused():
        for position, value in enumerate(recipients, start=1):
            try:
                target = _target(value)
            except ValidationError as exc:
                problems.append(RecipientProblem(position, str(value), str(exc.messages[0])))
                continue
            if target.key not in seen:
                seen.add(target.key)
                targets.append(target)
    if problems:
        raise InvalidRecipients(problems)
    if not targets:
        raise NoRecipients
    return targets


def _check_person_recipients(targets: Sequence[Target], *, reply_to_sender_id: int | None) -> None:
    """People write only to agencies that take letters, or answer the sender of
    the letter they reply to; never to other people."""
    problems = []
    for position, target in enumerate(targets, start=1):
        box = target.mailbox
        if box is not None and box.pk == reply_to_sender_id:
            continue
        if box is not None and box.kind == MailboxKind.AGENCY and box.accepts_letters:
            continue
        problems.append(
            RecipientProblem(
                position,
                box.label if box is not None else target.identifier,
                _("به این نشانی نمی‌توان نامه نوشت."),
            )
        )
    if problems:
        raise InvalidRecipients(problems)


@dataclass(frozen=True)
class Resolved:
    mailbox_id: int
    owner_id: int | None

    @property
    def has_owner(self) -> bool:
        return self.owner_id is not None


def _fetch(kind: str, identifiers: Sequence[str]) -> dict[str, Resolved]:
    found: dict[str, Resolved] = {}
    for start in range(0, len(identifiers), LOOKUP_BATCH):
        rows = Mailbox.objects.filter(
            kind=kind, identifier__in=identifiers[start : start + LOOKUP_BATCH]
        ).values_list("identifier", "pk", "owner_id")
        found.update({ident: Resolved(pk, owner_id) for ident, pk, owner_id in rows})
    return found


def _mailboxes_for(kind: str, identifiers: set[str]) -> dict[str, Resolved]:
    """Mailboxes of these codes of one kind, making the missing ones: owned by
    the account with that username when there is one, placeholders otherwise."""
    wanted = sorted(identifiers)
    found = _fetch(kind, wanted)
    missing = sorted(identifiers - found.keys())
    if not missing:
        return found
    accounts: dict[str, User] = {}
    for start in range(0, len(missing), LOOKUP_BATCH):
        for user in User.objects.filter(
            username__in=missing[start : start + LOOKUP_BATCH],
            kind=USER_KIND_OF_MAILBOX[kind],
            mailbox__isnull=True,
        ):
            accounts[user.username] = user
    Mailbox.objects.bulk_create(
        [
            Mailbox(
                owner=accounts.get(ident),
                kind=kind,
                identifier=ident,
                display_name=accounts[ident].display_name[:200] if ident in accounts else "",
            )
            for ident in missing
        ],
        batch_size=LOOKUP_BATCH,
        ignore_conflicts=True,
    )
    found.update(_fetch(kind, missing))
    return found


def _resolve(targets: Sequence[Target]) -> list[Resolved]:
    by_kind: dict[str, set[str]] = {}
    for target in targets:
        if target.mailbox is None:
            by_kind.setdefault(target.kind, set()).add(target.identifier)
    found = {kind: _mailboxes_for(kind, idents) for kind, idents in by_kind.items()}
    return [
        Resolved(target.mailbox.pk, target.mailbox.owner_id)
        if target.mailbox is not None
        else found[target.kind][target.identifier]
        for target in targets
    ]


def _create_deliveries(letter: Letter, resolved: Sequence[Resolved], *, at: datetime) -> int:
    """One Delivery per mailbox; a row already there (a resumed chunk) is left alone."""
    Delivery.objects.bulk_create(
        [
            Delivery(
                letter=letter,
                recipient_id=item.mailbox_id,
                delivered_at=at,
                notification_status=(
                    NotifyStatus.PENDING if item.has_owner else NotifyStatus.SKIPPED
                ),
            )
            for item in resolved
        ],
        batch_size=LOOKUP_BATCH,
        ignore_conflicts=True,
    )
    forget_unread_counts(item.owner_id for item in resolved)
    return len(resolved)


# --- sending -------------------------------------------------------------------------------


def _clean_subject(subject: str) -> str:
    text = normalize_text(" ".join((subject or "").splitlines()))
    if not text:
        raise InvalidLetter(_("موضوع نامه خالی است."))
    if len(text) > SUBJECT_MAX_LENGTH:
        raise InvalidLetter(_("موضوع نامه بیش از %(max)s نویسه است.") % {"max": SUBJECT_MAX_LENGTH})
    return text


def _check_reply(*, sender: Mailbox, in_reply_to: Letter) -> None:
    """The sender received `in_reply_to` (and, for a person, it allows replies),
    or wrote it (a follow-up in the same thread)."""
    if in_reply_to.sender_id == sender.pk:
        return
    received = Delivery.objects.filter(letter=in_reply_to, recipient=sender).exists()
    if not received:
        raise ReplyNotAllowed
    if sender.kind in PERSON_KINDS and not in_reply_to.reply_allowed:
        raise ReplyNotAllowed


def _store_attachments(letter: Letter, checked: Sequence[CheckedAttachment]) -> list[str]:
    stored: list[str] = []
    try:
        for position, item in enumerate(checked):
            attachment = Attachment(
                letter=letter,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                position=position,
            )
            attachment.file.save(item.original_name, item.upload, save=False)
            stored.append(attachment.file.name or "")
            attachment.save()
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return stored


def letter_send(
    *,
    actor: Actor,
    sender: Mailbox,
    recipients: Sequence[str | Mailbox],
    subject: str,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    category: LetterCategory | str,
    reply_allowed: bool = False,
    is_legal_notice: bool = False,
    in_reply_to: Letter | None = None,
    grant: ProxyGrant | None = None,
) -> Letter:
    """Send one letter to many: THE way a letter enters the portal.

    Recipients are national codes, national IDs or mailboxes; a code nobody has
    registered gets a placeholder mailbox. Everything is checked before
    anything is stored: who may send as `sender` (PermissionDenied), the
    subject, body and category (InvalidLetter), every recipient
    (InvalidRecipients lists each bad one), the reply (ReplyNotAllowed) and
    every attachment (AttachmentRefused). Up to LETTER_INLINE_RECIPIENTS the
    deliveries are written in this transaction; a larger letter stages its
    recipients and the `mailbox.fanout` task delivers them in chunks.
    Notifications start after the commit and never carry the letter's content.

    A proxy answers for the owner with `grant`: only a reply, from the owner's
    mailbox, to a letter the grant lets them answer."""
    if sender.is_placeholder:
        raise PermissionDenied
    if grant is not None:
        if not _proxy_may_answer(actor, grant, sender=sender, in_reply_to=in_reply_to):
            raise PermissionDenied
    elif not may_send_as(actor, sender):
        raise PermissionDenied
    subject = _clean_subject(subject)
    clean = clean_body(body)
    if category not in LetterCategory.values:
        raise InvalidLetter(_("دسته‌ی نامه معتبر نیست."))
    person_sender = sender.kind in PERSON_KINDS
    if person_sender and (is_legal_notice or category != LetterCategory.GENERAL):
        raise InvalidLetter(_("ابلاغ قانونی و نامه‌های رسمی دسته‌دار را فقط دستگاه‌ها می‌فرستند."))
    if in_reply_to is not None:
        _check_reply(sender=sender, in_reply_to=in_reply_to)
    targets = parse_recipients(recipients)
    if person_sender:
        _check_person_recipients(
            targets, reply_to_sender_id=in_reply_to.sender_id if in_reply_to else None
        )
    checked = check_attachments(attachments)

    with transaction.atomic():
        tracking_code = issue(kind=TrackingKind.LETTER)
        now = timezone.now()
        digest = content_sha256(
            canonical_content(
                tracking_code=tracking_code,
                sender_id=sender.pk,
                sender_name=sender.label[:200],
                subject=subject,
                body=clean,
                category=str(category),
                is_legal_notice=is_legal_notice,
                reply_allowed=reply_allowed,
                in_reply_to=in_reply_to.tracking_code if in_reply_to else None,
                attachments=[
                    {
                        "name": a.original_name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                    }
                    for a in checked
                ],
            )
        )
        inline = len(targets) <= settings.LETTER_INLINE_RECIPIENTS
        letter = Letter.objects.create(
            tracking_code=tracking_code,
            sender=sender,
            sender_name=sender.label[:200],
            sent_by=actor if isinstance(actor, User) else None,
            subject=subject,
            body=clean,
            category=category,
            is_legal_notice=is_legal_notice,
            reply_allowed=reply_allowed,
            in_reply_to=in_reply_to,
            created_at=now,
            sent_at=now,
            content_sha256=digest,
            verification_code=verification_code(tracking_code=tracking_code, content_hash=digest),
            attachment_count=len(checked),
            recipient_count=len(targets),
            fanout_state=FanoutState.DONE if inline else FanoutState.PENDING,
            fanout_done=0,
            fanout_touched_at=now,
        )
        _store_attachments(letter, checked)
        if inline:
            _create_deliveries(letter, _resolve(targets), at=now)
            Letter.objects.filter(pk=letter.pk).update(fanout_done=len(targets))
            letter.fanout_done = len(targets)
            transaction.on_commit(lambda: _ring_notify(letter.pk, bulk=False))
        else:
            _stage_recipients(letter, targets)
            transaction.on_commit(lambda: _ring_fanout(letter.pk))
        audit_record(
            actor=actor,
            action="letter.send",
            target=letter,
            acting_for=sender.owner if grant is not None else None,
            data={
                "tracking_code": tracking_code,
                "sender": sender.pk,
                "recipients": len(targets),
                "attachments": len(checked),
                "category": str(category),
                "legal_notice": is_legal_notice,
                "in_reply_to": in_reply_to.tracking_code if in_reply_to else None,
                "fanout": "inline" if inline else "task",
                "content_sha256": digest,
            },
        )
    return letter


def letter_reply(
    *,
    actor: Actor,
    delivery: Delivery,
    text: str,
    attachments: Sequence[UploadedFile] = (),
    grant: ProxyGrant | None = None,
) -> Letter:
    """A person answers a letter in their inbox: plain text (escaped, its
    paragraphs kept) and attachments, from their mailbox to the letter's sender,
    with the answered subject after «پاسخ: ». A proxy whose grant allows replies
    answers the same way for the owner, with `grant`. Raises PermissionDenied (not
    theirs to answer), ReplyNotAllowed (the letter takes no replies, it is their
    own, or the grant is for reading only), and whatever `letter_send` refuses
    (InvalidLetter, AttachmentRefused)."""
    acting_as = ReaderRole.OWNER if grant is None else ReaderRole.PROXY
    if not may_read(actor, delivery, acting_as=acting_as, grant=grant):
        raise PermissionDenied
    if not may_reply(actor, delivery, acting_as=acting_as, grant=grant):
        raise ReplyNotAllowed
    letter = delivery.letter
    subject = letter.subject
    if not subject.startswith(REPLY_PREFIX):
        subject = REPLY_PREFIX + subject
    reply = letter_send(
        actor=actor,
        sender=delivery.recipient,
        recipients=[letter.sender],
        subject=subject[:SUBJECT_MAX_LENGTH],
        body=plain_text_body(text),
        attachments=attachments,
        category=LetterCategory.GENERAL,
        in_reply_to=letter,
        grant=grant,
    )
    delivery_record_access(
        user=actor, delivery=delivery, action=AccessAction.REPLY, acting_as=acting_as, grant=grant
    )
    return reply


def letter_write(
    *,
    actor: Actor,
    to: Mailbox,
    subject: str,
    text: str,
    attachments: Sequence[UploadedFile] = (),
) -> Letter:
    """A person writes a new letter to an agency that takes letters from people:
    plain text (escaped, its paragraphs kept, as in a reply) and attachments,
    from their own mailbox — never as anyone else, so a proxy cannot write for
    the owner — through `letter_send`, which audits it. Raises PermissionDenied
    (no active inbox of their own), LetterNotAccepted (`to` is not an agency
    that takes letters), and whatever `letter_send` refuses (InvalidLetter,
    AttachmentRefused)."""
    if not isinstance(actor, User) or not inbox_access(user=actor).may_read:
        raise PermissionDenied
    if to.kind != MailboxKind.AGENCY or not to.accepts_letters:
        raise LetterNotAccepted
    return letter_send(
        actor=actor,
        sender=mailbox_for_user(user=actor),
        recipients=[to],
        subject=subject,
        body=plain_text_body(text),
        attachments=attachments,
        category=LetterCategory.GENERAL,
    )


def _ring_fanout(letter_id: int) -> None:
    from .tasks import fanout

    fanout.apply_async(args=(letter_id,), queue="bulk")


def _ring_notify(letter_id: int, *, bulk: bool) -> None:
    from .tasks import notify

    notify.apply_async(args=(letter_id,), queue="bulk" if bulk else "default")


def _stage_recipients(letter: Letter, targets: Sequence[Target]) -> None:
    """The recipients of a large letter, in order (`seq`), for the fan-out task:
    one COPY on PostgreSQL, batched inserts elsewhere."""
    if connection.vendor == "postgresql":
        # COPY's text format, written in blocks: every value is an id, a kind from
        # MailboxKind or an identifier parse_recipients checked to be digits, so
        # nothing needs escaping.
        lines = (
            f"{letter.pk}\t{seq}\t{t.kind}\t{t.identifier}\t\\N\n"
            if t.mailbox is None
            else f"{letter.pk}\t{seq}\t\t\t{t.mailbox.pk}\n"
            for seq, t in enumerate(targets)
        )
        copy_sql = (
            "COPY mailbox_letterrecipient (letter_id, seq, kind, identifier, mailbox_id) FROM STDIN"
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
            )
            for seq, t in enumerate(targets)
        ],
        batch_size=LOOKUP_BATCH,
    )


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
        _create_deliveries(letter, _resolve(targets), at=at)
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
    forget_unread_counts(owners)
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
    proto = Delivery(letter=letter, delivered_at=at)
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
            SELECT m.id, m.owner_id
            FROM mailbox_letterrecipient r JOIN mailbox_mailbox m ON m.id = r.mailbox_id
            WHERE {chunk}
            UNION ALL
            SELECT m.id, m.owner_id
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


def letter_fanout(*, letter_id: int, chunk: int | None = None) -> int:
    """Deliver a large letter's staged recipients in chunks, one transaction per
    chunk, recording progress in `fanout_done`. Run again after a crash it goes
    on from where it stopped; a chunk half-written before a crash was rolled
    back, and a delivery already there is skipped, so every recipient gets
    exactly one. Returns how many recipients this run delivered."""
    size = chunk or settings.LETTER_FANOUT_CHUNK
    delivered = 0
    while True:
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=letter_id)
            if letter.fanout_state == FanoutState.DONE:
                return delivered
            now = timezone.now()
            start = letter.fanout_done
            staged = _deliver_staged(letter, start=start, stop=start + size, at=now)
            if not staged:
                Letter.objects.filter(pk=letter.pk).update(
                    fanout_state=FanoutState.DONE, fanout_touched_at=now
                )
                LetterRecipient.objects.filter(letter=letter).delete()
                audit_record(
                    actor=None,
                    action="letter.fanout_done",
                    target=letter,
                    data={"recipients": letter.fanout_done},
                )
                return delivered
            Letter.objects.filter(pk=letter.pk).update(
                fanout_state=FanoutState.RUNNING,
                fanout_done=start + staged,
                fanout_touched_at=now,
            )
            transaction.on_commit(lambda: _ring_notify(letter_id, bulk=True))
        delivered += staged


# --- notifications -------------------------------------------------------------------------


def _sender_name(letter: Letter) -> str:
    name = letter.sender_name
    return name if len(name) <= SMS_SENDER_NAME_MAX else name[: SMS_SENDER_NAME_MAX - 1] + "…"


def notification_sms_text(letter: Letter) -> str:
    """Only who sent it and its tracking code: never the content."""
    return _("پیام ایران: نامه‌ی رسمی تازه از «%(sender)s» در کارپوشه‌ی شما. کد رهگیری: %(code)s") % {
        "sender": _sender_name(letter),
        "code": letter.tracking_code,
    }


def notification_email(letter: Letter, to: str) -> EmailMessage:
    subject = _("نامه‌ی رسمی تازه از %(sender)s") % {"sender": _sender_name(letter)}
    body = _(
        "نامه‌ی رسمی تازه‌ای از «%(sender)s» در کارپوشه‌ی شما در پیام ایران رسیده است.\n"
        "کد رهگیری: %(code)s\n\n"
        "برای خواندن آن به درگاه پیام ایران وارد شوید. پیام ایران متن نامه‌ها را "
        "با رایانامه نمی‌فرستد و هرگز گذرواژه یا رمز یک‌بارمصرف شما را نمی‌خواهد."
    ) % {"sender": letter.sender_name, "code": letter.tracking_code}
    return EmailMessage(subject=subject, body=body, to=[to])


@dataclass
class _Plan:
    delivery: Delivery
    mobile: str | None
    email: str | None
    sms_ok: bool = False


def _plan(delivery: Delivery) -> _Plan:
    profile = profile_of(delivery.recipient.owner)
    mobile = email = None
    if profile is not None:
        if profile.notify_by_sms and profile.mobile:
            mobile = profile.mobile
        if profile.notify_by_email and profile.email and profile.email_verified_at:
            email = profile.email
    return _Plan(delivery=delivery, mobile=mobile, email=email)


def _queue_sms(letter: Letter, plans: list[_Plan], *, campaign: bool) -> None:
    text = notification_sms_text(letter)
    wanted = [plan for plan in plans if plan.mobile]
    if not wanted:
        return
    if campaign:
        good = []
        for plan in wanted:
            try:
                normalize_mobile(plan.mobile or "")
            except ValidationError:
                continue
            good.append(plan)
        try:
            queue_sms_bulk(
                sender=SYSTEM_SENDER,
                recipients=[plan.mobile or "" for plan in good],
                body=text,
                batch_id=uuid.uuid5(BULK_SMS_NAMESPACE, letter.tracking_code),
            )
        except SmsError:
            logger.exception("Could not queue the SMS notices of letter %s", letter.tracking_code)
            return
        for plan in good:
            plan.sms_ok = True
        return
    for plan in wanted:
        try:
            queue_sms(
                sender=SYSTEM_SENDER,
                to=plan.mobile or "",
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"letter:{letter.tracking_code}:{plan.delivery.recipient_id}",
            )
        except SmsError:
            logger.exception("Could not queue the SMS notice of delivery %s", plan.delivery.pk)
            continue
        plan.sms_ok = True


def _send_emails(letter: Letter, plans: list[_Plan]) -> None:
    """After the commit. A mail server that is down fails the notice of those
    recipients who had no SMS either; the letter itself is in their inbox."""
    failed: list[int] = []
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("Could not reach the mail server for letter %s", letter.tracking_code)
        failed = [plan.delivery.pk for plan in plans if not plan.sms_ok]
    else:
        try:
            for plan in plans:
                try:
                    connection.send_messages([notification_email(letter, plan.email or "")])
                except Exception:
                    logger.exception("Could not e-mail the notice of delivery %s", plan.delivery.pk)
                    if not plan.sms_ok:
                        failed.append(plan.delivery.pk)
        finally:
            connection.close()
    if failed:
        Delivery.objects.filter(pk__in=failed).update(notification_status=NotifyStatus.FAILED)


def letter_notify(*, letter_id: int, batch: int = NOTIFY_BATCH) -> int:
    """Tell the owners of this letter's pending deliveries that it arrived, as
    each one asked (SMS from the portal's 4040, e-mail when verified), with only
    the sender's name and the tracking code. The SMS rows are written in the
    same transaction that marks the deliveries, so a notice is queued exactly
    once; concurrent runs share the rows (SKIP LOCKED). Returns how many
    deliveries were handled."""
    letter = Letter.objects.select_related("sender").get(pk=letter_id)
    campaign = letter.recipient_count > settings.LETTER_INLINE_RECIPIENTS
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(letter_id=letter_id, notification_status=NotifyStatus.PENDING)
                .select_related("recipient__owner__naturalperson", "recipient__owner__legalperson")
                .order_by("pk")[:batch]
            )
            if not rows:
                return handled
            plans = [_plan(row) for row in rows]
            _queue_sms(letter, plans, campaign=campaign)
            now = timezone.now()
            for plan in plans:
                if plan.sms_ok or plan.email:
                    plan.delivery.notification_status = NotifyStatus.SENT
                    plan.delivery.notified_at = now
                elif plan.mobile:
                    plan.delivery.notification_status = NotifyStatus.FAILED
                else:
                    plan.delivery.notification_status = NotifyStatus.SKIPPED
            Delivery.objects.bulk_update(rows, ["notification_status", "notified_at"])
            mail = [plan for plan in plans if plan.email]
            if mail:
                transaction.on_commit(partial(_send_emails, letter, mail))
        handled += len(rows)


def letters_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic (beat): ring again for fan-outs that stopped moving and for
    notifications still pending, e.g. after a worker died or the broker lost a
    task. Both are safe to run twice."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LETTER_STUCK_SECONDS)
    stuck = list(
        Letter.objects.exclude(fanout_state=FanoutState.DONE)
        .filter(fanout_touched_at__lt=stale)
        .values_list("pk", flat=True)[:100]
    )
    for letter_id in stuck:
        _ring_fanout(letter_id)
    pending = list(
        Delivery.objects.filter(notification_status=NotifyStatus.PENDING, delivered_at__lt=stale)
        .values_list("letter_id", flat=True)
        .distinct()[:100]
    )
    for letter_id in pending:
        _ring_notify(letter_id, bulk=True)
    return {"fanouts_rung": len(stuck), "notifications_rung": len(pending)}


# --- reading ---------------------------------------------------------------------------------


def forget_unread_counts(owner_ids: Iterable[int | None]) -> None:
    """After the commit, drop the cached header counts and inbox sender lists of
    these accounts (new letters, a first read), so the next page reads again. A cache that is down
    only leaves a count stale until it expires (selectors.unread_count_cached)."""
    owners = {pk for pk in owner_ids if pk is not None}
    keys = sorted(
        {unread_cache_key(pk) for pk in owners} | {senders_cache_key(pk) for pk in owners}
    )
    if not keys:
        return

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("Could not drop %s cached unread counts", len(keys), exc_info=True)

    transaction.on_commit(forget)


def _grant_reference(grant: models.Model | None) -> tuple[str, str]:
    if grant is None:
        return "", ""
    return grant._meta.label_lower, str(grant.pk)


def delivery_record_access(
    *,
    user: Actor,
    delivery: Delivery,
    action: AccessAction | str,
    acting_as: ReaderRole | str = ReaderRole.OWNER,
    grant: models.Model | None = None,
    ip: str | None = None,
) -> AccessRecord | None:
    """Record a view, download, print or reply by someone who is not the owner
    (the owner's own reads are not recorded). Raises PermissionDenied unless
    they may read it as `acting_as` under `grant`."""
    if not may_read(user, delivery, acting_as=acting_as, grant=grant) or not isinstance(user, User):
        raise PermissionDenied
    if acting_as == ReaderRole.OWNER:
        return None
    grant_type, grant_id = _grant_reference(grant)
    return AccessRecord.objects.create(
        user=user,
        acting_as=acting_as,
        grant_type=grant_type,
        grant_id=grant_id,
        action=action,
        letter_id=delivery.letter_id,
        delivery=delivery,
        ip=ip if ip is not None else request_context.current().ip,
    )


def delivery_mark_read(
    *,
    user: Actor,
    delivery: Delivery,
    acting_as: ReaderRole | str = ReaderRole.OWNER,
    grant: models.Model | None = None,
    ip: str | None = None,
) -> Delivery:
    """Open a letter: the first open stamps when and by whom (owner, proxy,
    broker clerk) once and for all; every open by someone other than the owner
    is recorded for the owner to see. Raises PermissionDenied."""
    if not may_read(user, delivery, acting_as=acting_as, grant=grant):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        stamped = Delivery.objects.filter(pk=delivery.pk, first_read_at__isnull=True).update(
            first_read_at=now, first_read_by=acting_as, first_reader=user
        )
        if stamped:
            delivery.first_read_at, delivery.first_read_by = now, str(acting_as)
            delivery.first_reader = user  # type: ignore[assignment]
            forget_unread_counts([delivery.recipient.owner_id])
            owner = delivery.recipient.owner
            audit_record(
                actor=user,
                action="delivery.read",
                target=delivery,
                acting_for=owner if acting_as != ReaderRole.OWNER else None,
                data={"letter": delivery.letter.tracking_code, "acting_as": str(acting_as)},
            )
        elif delivery.first_read_at is None:
            delivery.refresh_from_db(fields=["first_read_at", "first_read_by", "first_reader"])
        delivery_record_access(
            user=user,
            delivery=delivery,
            action=AccessAction.VIEW,
            acting_as=acting_as,
            grant=grant,
            ip=ip,
        )
    return delivery


def delivery_set_flags(
    *, user: Actor, delivery: Delivery, archived: bool | None = None, starred: bool | None = None
) -> Delivery:
    """Archive or star a letter in one's own inbox (only the owner). Nothing is
    ever deleted: an archived letter is still there under the archive."""
    if not may_read(user, delivery):
        raise PermissionDenied
    changes: dict[str, Any] = {}
    if archived is not None and archived != delivery.archived:
        changes["archived"] = archived
    if starred is not None and starred != delivery.starred:
        changes["starred"] = starred
    if not changes:
        return delivery
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**changes)
        for name, value in changes.items():
            setattr(delivery, name, value)
        audit_record(actor=user, action="delivery.flags", target=delivery, data=changes)
    return delivery


# --- proxies (وکالت) -----------------------------------------------------------------------------


def _proxy_may_answer(
    actor: Actor, grant: ProxyGrant, *, sender: Mailbox, in_reply_to: Letter | None
) -> bool:
    """A proxy sends only replies, from the owner's mailbox, to a letter
    delivered there that the grant covers and lets them answer."""
    if in_reply_to is None or grant.mailbox_id != sender.pk:
        return False
    delivery = (
        Delivery.objects.select_related("letter", "recipient")
        .filter(letter=in_reply_to, recipient=sender)
        .first()
    )
    return delivery is not None and may_reply(
        actor, delivery, acting_as=ReaderRole.PROXY, grant=grant
    )


def _end_of_day(day: date) -> datetime:
    """The last moment of `day` in Tehran, as an aware instant."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(
        microseconds=1
    )


def _tell(user: User | None, text: str, *, key: str) -> None:
    """After the commit, an SMS to a person's verified mobile about their
    proxies: who may read their inbox is their business whatever their letter
    notification preferences say."""
    profile = profile_of(user)
    if profile is None or not profile.mobile:
        return
    mobile = profile.mobile

    def send() -> None:
        try:
            queue_sms(
                sender=SYSTEM_SENDER,
                to=mobile,
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=key,
            )
        except SmsError:
            logger.exception("Could not queue the proxy notice %s", key)

    transaction.on_commit(send)


def proxy_grant(
    *,
    actor: Actor,
    national_code: str,
    scope: ProxyScope | str,
    expires_on: date,
    agency: Mailbox | None = None,
) -> ProxyGrant:
    """The owner of an active inbox names a proxy: a registered natural person
    (by national code) who may read their letters — and answer them with the
    wider scope — perhaps only those of one agency, until the end of
    `expires_on` (Tehran). The proxy must accept before it starts. Raises
    PermissionDenied (no active inbox of one's own) or InvalidProxy."""
    if not isinstance(actor, User) or not inbox_access(user=actor).may_read:
        raise PermissionDenied
    if scope not in ProxyScope.values:
        raise InvalidProxy(_("دامنه‌ی وکالت معتبر نیست."))
    try:
        code = clean_national_code(national_code)
    except ValidationError:
        raise InvalidProxy(_("کد ملی وکیل معتبر نیست؛ رقم‌ها را دوباره بررسی کنید.")) from None
    if code == actor.username:
        raise InvalidProxy(_("نمی‌توانید خودتان را وکیل کارپوشه‌ی خود کنید."))
    proxy = User.objects.filter(username=code, kind=UserKind.NATURAL, is_active=True).first()
    if proxy is None or profile_of(proxy) is None:
        raise InvalidProxy(
            _(
                "کسی با این کد ملی در پیام ایران ثبت‌نام نکرده است. وکیل باید پیش از این "
                "با کد ملی خود ثبت‌نام کرده باشد."
            )
        )
    today = timezone.localdate()
    if expires_on <= today:
        raise InvalidProxy(_("تاریخ پایان وکالت باید پس از امروز باشد."))
    if expires_on > today + timedelta(days=PROXY_MAX_DAYS):
        raise InvalidProxy(
            _("وکالت را حداکثر برای %(days)s روز می‌توان داد.")
            % {"days": localized_digits(PROXY_MAX_DAYS)}
        )
    if agency is not None and agency.kind != MailboxKind.AGENCY:
        raise InvalidProxy(_("دستگاه انتخاب‌شده معتبر نیست."))
    mailbox = mailbox_for_user(user=actor)
    now = timezone.now()
    with transaction.atomic():
        # One writer at a time per mailbox, so two tabs cannot name the same proxy twice.
        Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
        live = ProxyGrant.objects.filter(
            mailbox=mailbox,
            status__in=[ProxyStatus.PENDING, ProxyStatus.ACTIVE],
            expires_at__gt=now,
        )
        if live.filter(proxy=proxy).exists():
            raise InvalidProxy(_("این شخص هم‌اکنون وکیل شماست یا دعوت شما در انتظار پذیرش اوست."))
        if live.count() >= PROXY_LIVE_PER_MAILBOX:
            raise InvalidProxy(
                _("بیش از %(count)s وکیل هم‌زمان نمی‌توانید داشته باشید.")
                % {"count": localized_digits(PROXY_LIVE_PER_MAILBOX)}
            )
        grant = ProxyGrant.objects.create(
            mailbox=mailbox,
            proxy=proxy,
            scope=scope,
            agency=agency,
            expires_at=_end_of_day(expires_on),
            created_by=actor,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="proxy.grant",
            target=grant,
            data={
                "proxy": proxy.username,
                "scope": str(scope),
                "agency": agency.pk if agency else None,
                "expires_on": expires_on.isoformat(),
            },
        )
        _tell(
            proxy,
            _(
                "پیام ایران: %(owner)s شما را وکیل کارپوشه‌ی خود کرده است. برای پذیرش یا "
                "نپذیرفتن به بخش «وکالت‌ها» در کارپوشه‌ی خود بروید."
            )
            % {"owner": mailbox.label},
            key=f"proxy:{grant.pk}:grant",
        )
    return grant


def _may_move(actor: User, grant: ProxyGrant, to: str) -> bool:
    is_proxy = grant.proxy_id == actor.pk
    is_owner_ = grant.mailbox.owner_id == actor.pk
    if to in (ProxyStatus.ACTIVE, ProxyStatus.DECLINED):
        return is_proxy
    if to == ProxyStatus.REVOKED:
        # The owner ends it at any time; the proxy may give up an accepted one.
        return is_owner_ or (is_proxy and grant.status == ProxyStatus.ACTIVE)
    return False


def proxy_transition(*, actor: Actor, grant_id: int, to: ProxyStatus | str) -> ProxyGrant:
    """Move a proxy grant along PROXY_TRANSITIONS: the proxy accepts or declines
    an invitation (not after it expired); the owner revokes at once, or the
    proxy gives it up. Revocation takes effect on the proxy's next request: every
    page checks the grant again. Raises PermissionDenied (neither the owner nor
    the proxy, or a move that is not theirs) or InvalidProxyTransition."""
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        grant = (
            ProxyGrant.objects.select_for_update(of=("self",))
            .select_related("mailbox", "mailbox__owner", "proxy")
            .filter(pk=grant_id)
            .first()
        )
        if grant is None or actor.pk not in (grant.proxy_id, grant.mailbox.owner_id):
            raise PermissionDenied
        if to not in PROXY_TRANSITIONS[grant.status]:
            raise InvalidProxyTransition
        if not _may_move(actor, grant, to):
            raise PermissionDenied
        if to == ProxyStatus.ACTIVE and grant.expires_at <= now:
            raise InvalidProxyTransition(_("مهلت این وکالت پیش از پذیرش به پایان رسیده است."))
        previous = grant.status
        grant.status = to
        fields = ["status"]
        if to == ProxyStatus.ACTIVE:
            grant.accepted_at = now
            fields.append("accepted_at")
        else:
            grant.ended_at, grant.ended_by = now, actor
            fields += ["ended_at", "ended_by"]
        grant.save(update_fields=fields)
        owner = grant.mailbox.owner
        audit_record(
            actor=actor,
            action=f"proxy.{to}",
            target=grant,
            data={"from": previous, "proxy": grant.proxy.username},
        )
        by_owner = actor.pk == grant.mailbox.owner_id
        texts = {
            ProxyStatus.ACTIVE: _("پیام ایران: %(name)s وکالت کارپوشه‌ی شما را پذیرفت."),
            ProxyStatus.DECLINED: _("پیام ایران: %(name)s وکالت کارپوشه‌ی شما را نپذیرفت."),
            ProxyStatus.REVOKED: _("پیام ایران: %(name)s وکالت کارپوشه‌ی خود به شما را لغو کرد.")
            if by_owner
            else _("پیام ایران: %(name)s از وکالت کارپوشه‌ی شما کناره گرفت."),
        }
        name = grant.mailbox.label if by_owner else grant.proxy.display_name
        _tell(
            grant.proxy if by_owner else owner,
            texts[ProxyStatus(to)] % {"name": name},
            key=f"proxy:{grant.pk}:{to}",
        )
    return grant
