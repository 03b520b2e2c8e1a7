"""Sending, replying and writing to an agency: the one way a letter is stored."""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from payam.audit import audit_record
from payam.text import normalize_text
from payam.tracking import TrackingKind, issue

from ..constants import (
    PERSON_KINDS,
    SUBJECT_MAX_LENGTH,
    AccessAction,
    FanoutState,
    LetterCategory,
    MailboxKind,
    ReaderRole,
)
from ..content import (
    CheckedAttachment,
    check_attachments,
    clean_body,
    letter_content_hash,
    merge_fields,
    plain_text_body,
    verification_code,
)
from ..events import fanout_finished, letter_replied, letter_written
from ..exceptions import (
    InvalidLetter,
    LetterNotAccepted,
    NoRecipients,
    ReplyNotAllowed,
)
from ..models import (
    Attachment,
    Delivery,
    Letter,
    Mailbox,
    ProxyGrant,
)
from ..permissions import Actor, may_read, may_reply, may_send_as
from ..selectors import inbox_access
from . import doorbell
from .fanout import _stage_recipients, _stage_selection
from .mailboxes import mailbox_for_user
from .proxies import _proxy_may_answer
from .reading import delivery_record_access
from .recipients import _check_person_recipients, _create_deliveries, _resolve, parse_recipients

# A reply's subject is the answered one after this (stored, so not translated).
REPLY_PREFIX = "پاسخ: "


# --- sending -------------------------------------------------------------------------------


def _clean_subject(subject: str) -> str:
    text = normalize_text(" ".join((subject or "").splitlines()))
    if not text:
        raise InvalidLetter(_("موضوع نامه خالی است."))
    if len(text) > SUBJECT_MAX_LENGTH:
        raise InvalidLetter(_("موضوع نامه بیش از %(max)s نویسه است.") % {"max": SUBJECT_MAX_LENGTH})
    return text


def _check_merge(
    *,
    subject: str,
    body: str,
    recipients: Sequence[object],
    merge: Sequence[dict[str, str]],
) -> None:
    """One set of values per recipient, each with a value for every field."""
    if len(merge) != len(recipients):
        raise InvalidLetter(_("برای هر گیرنده باید یک ردیف مقادیر ادغام باشد."))
    fields = merge_fields(subject, body)
    for position, values in enumerate(merge, start=1):
        missing = [name for name in fields if not (values.get(name) or "").strip()]
        if missing:
            raise InvalidLetter(
                _("گیرنده‌ی %(n)s برای «%(fields)s» مقداری ندارد.")
                % {"n": position, "fields": "»، «".join(missing)}
            )


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
    merge: Sequence[dict[str, str]] | None = None,
    selection: "QuerySet[Mailbox] | None" = None,
    urgent: bool = False,
) -> Letter:
    """Send one letter to many: THE way a letter enters the portal.

    An agency's letter to a selection of mailboxes rather than a list (a crisis
    notice to everyone or to some provinces: `mailbox.selectors.person_mailboxes`)
    passes `selection` and no `recipients`: its recipients are staged in one
    INSERT … SELECT and the fan-out task delivers them, so nothing is read into
    Python per recipient (NoRecipients when the selection is empty). An
    `urgent` letter (a crisis notice) is shown as a banner atop the recipient's
    inbox until read; its SMS is its sender's to queue (with the notice's own
    text, on the urgent lane), so `letter_notify` only e-mails for it.

    A campaign's letter has `{field}`s in its subject and body and `merge`, one
    dict of values per recipient in the order of `recipients`: every recipient
    needs a value for every field (InvalidLetter). The letter is stored, hashed
    and verified with its fields; each delivery keeps its values.

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
    if person_sender and (urgent or selection is not None):
        raise PermissionDenied
    if selection is not None and (recipients or merge is not None or in_reply_to is not None):
        raise InvalidLetter(_("گیرندگان یا از فهرست می‌آیند یا از گزینش؛ نه هر دو."))
    if merge is not None:
        _check_merge(subject=subject, body=clean, recipients=recipients, merge=merge)
    targets = parse_recipients(recipients, merge=merge) if selection is None else []
    if person_sender:
        _check_person_recipients(
            targets, reply_to_sender_id=in_reply_to.sender_id if in_reply_to else None
        )
    checked = check_attachments(attachments)

    with transaction.atomic():
        tracking_code = issue(kind=TrackingKind.LETTER)
        now = timezone.now()
        inline = selection is None and len(targets) <= settings.LETTER_INLINE_RECIPIENTS
        letter = Letter(
            tracking_code=tracking_code,
            sender=sender,
            sender_name=sender.label[:200],
            sent_by=actor if isinstance(actor, User) else None,
            subject=subject,
            body=clean,
            category=category,
            is_legal_notice=is_legal_notice,
            is_urgent=urgent,
            reply_allowed=reply_allowed,
            in_reply_to=in_reply_to,
            created_at=now,
            sent_at=now,
            attachment_count=len(checked),
            recipient_count=len(targets),
            fanout_state=FanoutState.DONE if inline else FanoutState.PENDING,
            fanout_done=0,
            fanout_touched_at=now,
        )
        digest = letter_content_hash(letter, checked)
        letter.content_sha256 = digest
        letter.verification_code = verification_code(
            tracking_code=tracking_code, content_hash=digest
        )
        letter.save(force_insert=True)
        _store_attachments(letter, checked)
        if inline:
            merges = [t.merge for t in targets] if merge is not None else None
            _create_deliveries(letter, _resolve(targets), at=now, merge=merges)
            Letter.objects.filter(pk=letter.pk).update(fanout_done=len(targets))
            letter.fanout_done = len(targets)
            transaction.on_commit(lambda: doorbell.ring_notify(letter.pk, bulk=False))
            # Agency mailboxes have no identifier: only a Mailbox given as a
            # recipient reaches one, so this looks at no row.
            agencies = [
                t.mailbox
                for t in targets
                if t.mailbox is not None and t.mailbox.kind == MailboxKind.AGENCY
            ]
            if agencies:
                letter_written.send(sender=Letter, letter=letter, mailboxes=agencies)
            fanout_finished.send(sender=Letter, letter=letter)
        elif selection is not None:
            staged = _stage_selection(letter, selection)
            if not staged:
                raise NoRecipients
            Letter.objects.filter(pk=letter.pk).update(recipient_count=staged)
            letter.recipient_count = staged
            transaction.on_commit(lambda: doorbell.ring_fanout(letter.pk, urgent=urgent))
        else:
            _stage_recipients(letter, targets)
            transaction.on_commit(lambda: doorbell.ring_fanout(letter.pk))
        if in_reply_to is not None:
            letter_replied.send(sender=Letter, letter=letter, original=in_reply_to)
        audit_record(
            actor=actor,
            action="letter.send",
            target=letter,
            acting_for=sender.owner if grant is not None else None,
            data={
                "tracking_code": tracking_code,
                "sender": sender.pk,
                "recipients": letter.recipient_count,
                "selection": selection is not None,
                "urgent": urgent,
                "attachments": len(checked),
                "category": str(category),
                "legal_notice": is_legal_notice,
                "in_reply_to": in_reply_to.tracking_code if in_reply_to else None,
                "fanout": "inline" if inline else "task",
                "merge_fields": merge_fields(subject, clean) if merge is not None else [],
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
        actor=actor, delivery=delivery, action=AccessAction.REPLY, acting_as=acting_as, grant=grant
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
