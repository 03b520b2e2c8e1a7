"""An agency's SMS, from its own sender number under 4040 only.

Two steps, so the sender sees what will go before it goes:

    draft = agency_sms_prepare(actor=…, agency=…, body="…", mobile="0912…")
    # or: agency_sms_prepare(actor=…, agency=…, body="…", csv_data=upload_bytes)
    # or (the API's list): agency_sms_prepare(actor=…, agency=…, body="…", mobiles=[…])
    sent = agency_sms_send(actor=…, agency=…, draft_id=draft.draft_id)

`agency_sms_prepare` checks everything (who sends, the agency's sender, the body
and its parts, every mobile of the list with its line) and keeps the checked
recipients for DRAFT_SECONDS in the cache; nothing is queued. `agency_sms_send`
queues them from `agency.sender` — never a number the request names — through
`sms.services.sms_queue` (one mobile, kind notification) or `sms_queue_bulk`
(a list, kind bulk), keyed by the draft so a second click queues nothing more."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_agency_sender, user_agency
from payam.audit import audit_record
from payam.errors import UserFacingError
from payam.phone import local_mobile, normalize_mobile
from payam.text import localized_digits
from sms import encoding
from sms.constants import MAX_PARTS, SmsKind
from sms.models import SenderNumber
from sms.services import sms_queue, sms_queue_bulk

from ..campaign_csv import CsvProblem, read_recipients_csv
from ..models import Agency

DRAFT_SECONDS = 30 * 60  # how long a checked list waits for the sender's confirmation


class AgencySmsRefused(UserFacingError):
    message = gettext_lazy("ارسال پیامک انجام نشد.")


class AgencyHasNoSender(AgencySmsRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "این دستگاه سرشماره‌ی فعالی زیر ۴۰۴۰ ندارد؛ برای ارسال پیامک با کارشناسان "
                "پیام ایران تماس بگیرید."
            )
        )


class SmsDraftExpired(AgencySmsRefused):
    def __init__(self) -> None:
        super().__init__(
            _("زمان تأیید این ارسال گذشته یا پیش‌تر فرستاده شده است؛ پیامک را دوباره آماده کنید.")
        )


class SmsListProblems(AgencySmsRefused):
    """The list has problems; `problems` names each with its line. Nothing queued."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        self.problems = problems
        super().__init__(
            _("فهرست %(count)s ایراد دارد و هیچ پیامکی در صف گذاشته نشد؛ آن را درست کنید.")
            % {"count": localized_digits(len(problems))}
        )


@dataclass(frozen=True)
class SmsDraft:
    """What the confirmation shows: the checked recipients and the body's parts."""

    draft_id: str
    sender_number: str
    body: str
    recipients: list[str]  # +989…, in the list's order
    from_list: bool
    parts: int  # per message
    encoding: str  # "gsm7" or "ucs2"

    @property
    def count(self) -> int:
        return len(self.recipients)

    @property
    def total_parts(self) -> int:
        return self.count * self.parts

    @property
    def first_recipient(self) -> str:
        """The first mobile as people write it (09121234567)."""
        return local_mobile(self.recipients[0]) if self.recipients else ""


@dataclass(frozen=True)
class SmsSent:
    count: int
    parts: int
    batch_id: uuid.UUID | None  # a list's messages, all under this batch
    sms_id: int | None = None  # the one message to one mobile


def _sender_of(*, actor: AbstractBaseUser, agency: Agency) -> SenderNumber:
    """The agency's own active sender, for one of its admins or senders."""
    mine = user_agency(actor)
    if not isinstance(mine, Agency) or mine.pk != agency.pk or not is_agency_sender(actor):
        raise PermissionDenied
    sender = (
        SenderNumber.objects.filter(pk=agency.sender_id, is_active=True).first()
        if agency.sender_id is not None
        else None
    )
    if sender is None:
        raise AgencyHasNoSender
    return sender


def _measure(body: str) -> tuple[str, encoding.Encoded]:
    text = (body or "").strip()
    if not text:
        raise AgencySmsRefused(_("متن پیامک را بنویسید."))
    measured = encoding.measure(text)
    if measured.parts > MAX_PARTS:
        raise AgencySmsRefused(
            _("متن پیامک بیش از %(max)s بخش است؛ آن را کوتاه‌تر کنید (حداکثر %(units)s نویسه).")
            % {"max": MAX_PARTS, "units": encoding.max_units(measured.encoding)}
        )
    return text, measured


def _draft_key(draft_id: str) -> str:
    return f"agency-sms-draft:{draft_id}"


def agency_sms_prepare(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    body: str,
    mobile: str = "",
    csv_data: bytes | None = None,
    mobiles: Sequence[str] | None = None,
) -> SmsDraft:
    """Check one mobile, a CSV list with a mobile column (every problem with its
    line: SmsListProblems; a file that cannot be read: CsvRefused) or a list of
    mobiles (the API's: every problem with its 1-based position, a repeated
    mobile taken once), and the body; keep the draft for the confirmation.
    Nothing is queued here. A list of one mobile goes as one message."""
    sender = _sender_of(actor=actor, agency=agency)
    text, measured = _measure(body)
    from_list = csv_data is not None
    if csv_data is not None:
        report = read_recipients_csv(csv_data, kind="mobile")
        if not report.ok:
            raise SmsListProblems(report.problems)
        recipients = [row.recipient for row in report.rows]
    elif mobiles is not None:
        recipients = _checked_mobiles(mobiles)
        from_list = len(recipients) > 1
    else:
        try:
            recipients = [normalize_mobile(mobile)]
        except ValidationError as exc:
            raise AgencySmsRefused(str(exc.messages[0])) from exc
    draft = SmsDraft(
        draft_id=uuid.uuid4().hex,
        sender_number=sender.number,
        body=text,
        recipients=recipients,
        from_list=from_list,
        parts=measured.parts,
        encoding=measured.encoding,
    )
    stored: dict[str, Any] = {
        "agency": agency.pk,
        "actor": actor.pk,
        "body": draft.body,
        "recipients": draft.recipients,
        "from_list": draft.from_list,
    }
    cache.set(_draft_key(draft.draft_id), stored, DRAFT_SECONDS)
    return draft


def _checked_mobiles(mobiles: Sequence[str]) -> list[str]:
    """Each mobile normalized (+989…), in order, a repeated one once; every bad
    one a problem at its position (SmsListProblems)."""
    if not mobiles:
        raise AgencySmsRefused(_("دست‌کم یک شماره‌ی همراه برای پیامک بنویسید."))
    if len(mobiles) > settings.CAMPAIGN_MAX_ROWS:
        raise AgencySmsRefused(
            _("یک ارسال حداکثر %(max)s گیرنده دارد؛ فهرست را در چند ارسال بفرستید.")
            % {"max": localized_digits(f"{settings.CAMPAIGN_MAX_ROWS:,}")}
        )
    problems: list[CsvProblem] = []
    recipients: dict[str, None] = {}
    for position, value in enumerate(mobiles, start=1):
        try:
            recipients.setdefault(normalize_mobile(value), None)
        except ValidationError as exc:
            problems.append(CsvProblem(position, "to", value, str(exc.messages[0])))
    if problems:
        raise SmsListProblems(problems)
    return list(recipients)


def agency_sms_send(*, actor: AbstractBaseUser, agency: Agency, draft_id: str) -> SmsSent:
    """Queue a prepared draft from the agency's own sender; audited. A draft of
    another member or agency, an expired one or one already sent is SmsDraftExpired."""
    sender = _sender_of(actor=actor, agency=agency)
    key = _draft_key(draft_id)
    stored = cache.get(key) if draft_id.isalnum() and len(draft_id) == 32 else None
    if not stored or stored["agency"] != agency.pk or stored["actor"] != actor.pk:
        raise SmsDraftExpired
    if not cache.delete(key):  # claimed: a second click (or a second tab) finds nothing
        raise SmsDraftExpired
    text, measured = _measure(stored["body"])
    recipients: list[str] = stored["recipients"]
    batch_id: uuid.UUID | None = None
    sms_id: int | None = None
    with transaction.atomic():
        if stored["from_list"]:
            batch_id = uuid.UUID(draft_id)
            queued = sms_queue_bulk(
                sender=sender.number,
                recipients=recipients,
                body=text,
                batch_id=batch_id,
                actor=actor,
            )
            count = queued.queued
        else:
            sms_id = sms_queue(
                sender=sender.number,
                to=recipients[0],
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"agency-sms:{draft_id}",
                actor=actor,
            ).pk
            count = 1
        audit_record(
            actor=actor,
            action="agency.sms_send",
            target=agency,
            data={
                "sender": sender.number,
                "recipients": len(recipients),
                "queued": count,
                "parts": measured.parts,
                "batch_id": str(batch_id) if batch_id else None,
            },
        )
    return SmsSent(
        count=len(recipients),
        parts=measured.parts,
        batch_id=batch_id,
        sms_id=sms_id,
    )
