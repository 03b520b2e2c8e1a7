"""Who a letter goes to: parsing, checking and resolving recipients to mailboxes."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from payam.batch import cyclic_gc_paused
from payam.identifiers import clean_legal_id, clean_national_code, is_valid_national_code
from payam.text import normalize_digits

from ..constants import (
    MailboxKind,
    NotifyStatus,
)
from ..exceptions import (
    LETTER_NOT_SENT,
    InvalidRecipients,
    NoRecipients,
    RecipientProblem,
)
from ..models import (
    Delivery,
    Letter,
    Mailbox,
)
from .mailboxes import USER_KIND_OF_MAILBOX
from .reading import forget_inbox_caches

LOOKUP_BATCH = 1000  # identifiers per IN (…) lookup


# --- recipients ------------------------------------------------------------------------------


class Target(NamedTuple):
    """A recipient as given, checked: either a saved mailbox or a (kind, identifier).
    A tuple, not a dataclass: a campaign makes a million of them."""

    kind: str
    identifier: str
    mailbox: Mailbox | None = None
    merge: dict[str, str] | None = None  # a campaign's values for this recipient

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
    if 8 <= len(digits) <= 10 or not digits.isdigit():
        # 8 or 9 digits: a national code that lost its leading zeros (padded there).
        return Target(kind=MailboxKind.NATURAL, identifier=clean_national_code(digits))
    raise ValidationError(_("نه کد ملی ۱۰ رقمی است و نه شناسه‌ی ملی ۱۱ رقمی."), code="length")


def parse_recipients(
    recipients: Iterable[str | Mailbox], *, merge: Sequence[dict[str, str]] | None = None
) -> list[Target]:
    """Each recipient checked (checksum of codes and IDs) and duplicates dropped,
    in the order given, with its merge values (`merge[i]` for `recipients[i]`)
    when the letter has fields. Raises InvalidRecipients listing every bad one,
    or NoRecipients."""
    targets: list[Target] = []
    seen: set[tuple[str, str]] = set()
    problems: list[RecipientProblem] = []
    natural = MailboxKind.NATURAL
    with cyclic_gc_paused():
        for position, value in enumerate(recipients, start=1):
            # The usual recipient, a clean national code, without _target's detour
            # (a campaign checks a million; the API's are checked again at sending).
            if isinstance(value, str) and len(value) == 10 and is_valid_national_code(value):
                key = (natural, value)
                if key not in seen:
                    seen.add(key)
                    values = merge[position - 1] if merge is not None else None
                    targets.append(Target(natural, value, None, values))
                continue
            try:
                target = _target(value)
            except ValidationError as exc:
                problems.append(RecipientProblem(position, str(value), str(exc.messages[0])))
                continue
            if merge is not None:
                target = target._replace(merge=merge[position - 1])
            if target.key not in seen:
                seen.add(target.key)
                targets.append(target)
    if problems:
        raise InvalidRecipients(problems, summary=LETTER_NOT_SENT)
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
        raise InvalidRecipients(problems, summary=LETTER_NOT_SENT)


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


def _create_deliveries(
    letter: Letter,
    resolved: Sequence[Resolved],
    *,
    at: datetime,
    merge: Sequence[dict[str, str] | None] | None = None,
) -> int:
    """One Delivery per mailbox, with its merge values (`merge[i]` for
    `resolved[i]`); a row already there (a resumed chunk) is left alone."""
    Delivery.objects.bulk_create(
        [
            Delivery(
                letter=letter,
                recipient_id=item.mailbox_id,
                delivered_at=at,
                notification_status=(
                    NotifyStatus.PENDING if item.has_owner else NotifyStatus.SKIPPED
                ),
                merge=merge[position] if merge is not None else None,
                urgent=letter.is_urgent,
            )
            for position, item in enumerate(resolved)
        ],
        batch_size=LOOKUP_BATCH,
        ignore_conflicts=True,
    )
    forget_inbox_caches(item.owner_id for item in resolved)
    return len(resolved)
