"""An agency's letters to many: compose (recipients checked, attachments
checked, nothing stored unless all is well), confirm, the second member's
approval above CAMPAIGN_APPROVAL_THRESHOLD recipients (four eyes), a time to
send, calling off, and the send itself through `mailbox.services.letter_send`
(the staged COPY fan-out). One mover: `campaign_transition`."""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_agency_sender, user_agency
from mailbox.constants import LetterCategory
from mailbox.content import check_attachments, merge_fields, plain_text_body
from mailbox.exceptions import InvalidRecipients
from mailbox.services import letter_send, parse_recipients
from payam.audit import audit_record
from payam.errors import UserFacingError
from payam.text import localized_digits, normalize_text, strip_hiding_characters
from payam.tracking import TrackingKind, issue

from ..campaign_csv import CsvProblem, CsvReport, CsvRow, ensure_csv_size, read_recipients_csv
from ..constants import CAMPAIGN_TRANSITIONS, CampaignSource, CampaignStatus
from ..exceptions import (
    CampaignMoveRefused,
    CampaignRefused,
    CampaignRowsRefused,
    SecondApprovalRefused,
)
from ..models import Agency, Campaign, CampaignAttachment, CampaignChange
from .webhooks import webhook_events_name_campaign

# What separates codes in a pasted list: spaces, line breaks, commas (Latin and
# Persian) and semicolons.
LIST_SEPARATORS = re.compile(r"[\s,،;؛]+")


@dataclass(frozen=True)
class Recipients:
    """A campaign's recipients as read from its list or file: the codes, each
    one's merge values (None without fields), the rows refused, and how many
    were left out."""

    codes: list[str]
    merge: list[dict[str, str]] | None
    problems: list[CsvProblem]
    encoding: str = ""


def _ensure_sender(actor: object, agency: Agency) -> User:
    """A live admin or sender of `agency`: PermissionDenied for anyone else."""
    if not isinstance(actor, User) or not is_agency_sender(actor):
        raise PermissionDenied
    member_of = user_agency(actor)
    if member_of is None or member_of.pk != agency.pk:
        raise PermissionDenied
    return actor


def _read_list(text: str) -> Recipients:
    """A pasted list: every code checked, each problem with its line."""
    tokens: list[str] = []
    lines: list[int] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for token in LIST_SEPARATORS.split(line):
            if token:
                tokens.append(token)
                lines.append(number)
    if not tokens:
        raise CampaignRefused(_("هیچ گیرنده‌ای وارد نشده است."))
    try:
        targets = parse_recipients(tokens)
    except InvalidRecipients as exc:
        problems = [
            CsvProblem(line=lines[p.position - 1], column="", value=p.value, message=p.message)
            for p in exc.problems
        ]
        return Recipients(codes=[], merge=None, problems=problems)
    return Recipients(codes=[t.identifier for t in targets], merge=None, problems=[])


def _merge_values(
    report: CsvReport, rows: Sequence[CsvRow], fields: Sequence[str]
) -> list[dict[str, str]] | None:
    """Each row's values for the letter's `{fields}` (every one a column of the
    file), keyed as the letter writes them. A field that names the recipient
    column is the recipient's code. When the fields are the file's other
    columns as written, each row's own values are used as they are (100,000
    rows: no second dict per row)."""
    if not fields:
        return None
    others = [name for name in report.columns if name != report.recipient_column]
    if set(fields) == set(others) and len(fields) == len(others):
        return [row.values for row in rows]
    columns = [(name, normalize_text(name)) for name in fields]
    return [
        {
            name: row.recipient if column == report.recipient_column else row.values[column]
            for name, column in columns
        }
        for row in rows
    ]


def _read_csv(data: bytes, *, fields: Sequence[str]) -> Recipients:
    """A CSV file: every row checked, the rows with a problem left out of the
    codes and listed in `problems` (the caller skips or refuses them). A problem
    of the file itself (a field the letter uses that is not a column) is never
    skipped: CampaignRowsRefused, as every row would go without that value."""
    report = read_recipients_csv(data, fields=fields, kind="person")
    if any(problem.line <= report.header_line for problem in report.problems):
        raise CampaignRowsRefused(report.problems)
    bad_lines = {problem.line for problem in report.problems}
    rows = [row for row in report.rows if row.line not in bad_lines]
    return Recipients(
        codes=[row.recipient for row in rows],
        merge=_merge_values(report, rows, fields),
        problems=report.problems,
        encoding=report.encoding,
    )


def _read_given(
    codes: Sequence[str], merge: Sequence[Mapping[str, str]] | None, *, fields: Sequence[str]
) -> Recipients:
    """Codes handed over by a program (the API), each with its values for
    `fields`: every code checked and every value present, each problem with
    the code's position (1-based); duplicates are dropped."""
    problems: list[CsvProblem] = []
    values: list[dict[str, str]] | None = None
    if fields:
        values = []
        for position, code in enumerate(codes, start=1):
            given = (
                merge[position - 1] if merge is not None and position <= len(merge) else None
            ) or {}
            row = {
                name: strip_hiding_characters(str(given.get(name) or "")).strip() for name in fields
            }
            values.append(row)
            for name, value in row.items():
                if not value:
                    problems.append(
                        CsvProblem(
                            line=position,
                            column=name,
                            value=str(code),
                            message=_("مقدار فیلد «%(field)s» نیامده است.") % {"field": name},
                        )
                    )
    try:
        targets = parse_recipients(list(codes), merge=values)
    except InvalidRecipients as exc:
        problems.extend(
            CsvProblem(line=p.position, column="", value=p.value, message=p.message)
            for p in exc.problems
        )
        targets = []
    if problems:
        problems.sort(key=lambda problem: problem.line)
        return Recipients(codes=[], merge=None, problems=problems)
    return Recipients(
        codes=[t.identifier for t in targets],
        merge=[t.merge or {} for t in targets] if fields else None,
        problems=[],
    )


def _recipients(
    *,
    source: str,
    text: str,
    data: bytes,
    fields: Sequence[str],
    skip_invalid: bool,
) -> tuple[Recipients, int]:
    """The recipients and how many rows were left out; CampaignRowsRefused when
    a problem is not to be skipped."""
    if source == CampaignSource.LIST:
        if fields:
            raise CampaignRefused(
                _(
                    "فیلدهای ادغام («%(fields)s») مقدارشان را از ستون‌های پرونده‌ی CSV می‌گیرند؛ "
                    "برای فهرست کدها متن را بی آن‌ها بنویسید یا پرونده‌ی CSV بفرستید."
                )
                % {"fields": "»، «".join(fields)}
            )
        found = _read_list(text)
        if found.problems:
            raise CampaignRowsRefused(found.problems)
        return found, 0
    found = _read_csv(data, fields=fields)
    if found.problems and not skip_invalid:
        raise CampaignRowsRefused(found.problems)
    if not found.codes:
        raise CampaignRefused(_("پرونده هیچ ردیف درستی ندارد؛ چیزی برای فرستادن نماند."))
    skipped = len({p.line for p in found.problems})
    return found, skipped


def _clean_subject(subject: str) -> str:
    text = normalize_text(" ".join((subject or "").splitlines()))
    if not text:
        raise CampaignRefused(_("موضوع نامه خالی است."))
    if len(text) > Campaign._meta.get_field("subject").max_length:  # type: ignore[operator]
        raise CampaignRefused(_("موضوع نامه بیش از ۲۰۰ نویسه است."))
    return text


def campaign_create(
    *,
    actor: object,
    agency: Agency,
    subject: str,
    body: str,
    category: LetterCategory | str,
    is_legal_notice: bool = False,
    reply_allowed: bool = False,
    recipients_text: str = "",
    csv_file: UploadedFile | None = None,
    skip_invalid: bool = False,
    attachments: Sequence[UploadedFile] = (),
    scheduled_at: datetime | None = None,
    recipients: Sequence[str] | None = None,
    merge: Sequence[Mapping[str, str]] | None = None,
) -> Campaign:
    """A checked draft of a letter to many, from a member allowed to send.

    Recipients come from a pasted list of codes or a CSV file (not both); the
    `{fields}` of the subject and body are the file's columns, and every row
    is checked before anything is stored (CampaignRowsRefused lists each
    problem with its line), unless `skip_invalid` leaves those rows out.
    Raises CampaignRefused (nothing to send, a time in the past, fields without
    a file), CsvRefused (the file itself), AttachmentRefused, PermissionDenied.
    A program (the API, `agencies.api`) passes `recipients` (codes) instead,
    with `merge[i]` holding the `{fields}` of `recipients[i]`; they are kept
    as a JSON file and read again when the campaign is sent.
    The draft waits for its composer's confirmation (`campaign_confirm`)."""
    member = _ensure_sender(actor, agency)
    subject = _clean_subject(subject)
    text = (body or "").strip()
    if not text:
        raise CampaignRefused(_("متن نامه خالی است."))
    if category not in LetterCategory.values:
        raise CampaignRefused(_("دسته‌ی نامه معتبر نیست."))
    if scheduled_at is not None and scheduled_at <= timezone.now():
        raise CampaignRefused(
            _("زمان ارسال گذشته است؛ زمانی در آینده بگذارید یا آن را خالی بگذارید.")
        )
    given = [bool(csv_file), bool((recipients_text or "").strip()), recipients is not None]
    if sum(given) != 1:
        raise CampaignRefused(
            _("گیرندگان را یا در فهرست کدها بنویسید یا پرونده‌ی CSV بفرستید (یکی از این دو).")
        )
    fields = merge_fields(subject, text)
    data = b""
    if recipients is not None:
        source = CampaignSource.API
        if not recipients:
            raise CampaignRefused(_("هیچ گیرنده‌ای وارد نشده است."))
        if len(recipients) > settings.CAMPAIGN_MAX_ROWS:
            raise CampaignRefused(
                _("یک نامه حداکثر %(max)s گیرنده دارد.")
                % {"max": localized_digits(settings.CAMPAIGN_MAX_ROWS)}
            )
        found = _read_given(recipients, merge, fields=fields)
        if found.problems:
            raise CampaignRowsRefused(found.problems)
        skipped = 0
        data = json.dumps({"recipients": found.codes, "merge": found.merge}).encode()
    else:
        source = CampaignSource.CSV if csv_file else CampaignSource.LIST
        if csv_file:
            ensure_csv_size(csv_file.size or 0)
            data = csv_file.read(settings.CAMPAIGN_CSV_MAX_BYTES + 1)
        found, skipped = _recipients(
            source=source,
            text=recipients_text,
            data=data,
            fields=fields,
            skip_invalid=skip_invalid,
        )
    checked = check_attachments(attachments)
    stored: list[str] = []
    try:
        with transaction.atomic():
            campaign = Campaign(
                code=issue(kind=TrackingKind.CAMPAIGN),
                agency=agency,
                created_by=member,
                subject=subject,
                body=text,
                category=category,
                is_legal_notice=is_legal_notice,
                reply_allowed=reply_allowed,
                source=source,
                recipients_text=recipients_text if source == CampaignSource.LIST else "",
                csv_name=(csv_file.name or "")[:200] if csv_file else "",
                csv_encoding=found.encoding,
                skip_invalid=skip_invalid,
                fields=fields,
                recipient_count=len(found.codes),
                skipped_count=skipped,
                preview=found.merge[0] if found.merge else {},
                scheduled_at=scheduled_at,
            )
            if csv_file:
                campaign.csv_file.save(csv_file.name or "recipients.csv", ContentFile(data), False)
                stored.append(campaign.csv_file.name or "")
            elif source == CampaignSource.API:
                campaign.csv_file.save("recipients.json", ContentFile(data), False)
                stored.append(campaign.csv_file.name or "")
            campaign.save()
            for position, item in enumerate(checked):
                kept = CampaignAttachment(
                    campaign=campaign,
                    original_name=item.original_name,
                    content_type=item.content_type,
                    size=item.size,
                    position=position,
                )
                kept.file.save(item.original_name, item.upload, save=False)
                stored.append(kept.file.name or "")
                kept.save()
            audit_record(
                actor=member,
                action="campaign.create",
                target=campaign,
                data={
                    "code": campaign.code,
                    "agency": agency.pk,
                    "source": source,
                    "recipients": campaign.recipient_count,
                    "skipped": skipped,
                    "fields": fields,
                    "attachments": len(checked),
                    "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
                },
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return campaign


# --- the one mover ----------------------------------------------------------------------------


def campaign_transition(
    *, actor: object, campaign: Campaign, to: str, reason: str = "", **fields: Any
) -> Campaign:
    """Move the campaign along CAMPAIGN_TRANSITIONS from the status it was read
    in, with `fields` written in the same update: the history row and the audit
    row. CampaignMoveRefused when it moved since it was read."""
    to = CampaignStatus(to)
    current = campaign.status
    if to not in CAMPAIGN_TRANSITIONS[current]:
        raise CampaignMoveRefused(current)
    now = timezone.now()
    updated = Campaign.objects.filter(pk=campaign.pk, status=current).update(status=to, **fields)
    if not updated:
        raise CampaignMoveRefused(Campaign.objects.get(pk=campaign.pk).status)
    campaign.status = to
    for name, value in fields.items():
        setattr(campaign, name, value)
    person = actor if isinstance(actor, User) else None
    CampaignChange.objects.create(
        campaign=campaign, from_status=current, to_status=to, actor=person, reason=reason, at=now
    )
    audit_record(
        actor=actor if isinstance(actor, User) else None,
        action=f"campaign.{to}",
        target=campaign,
        data={"code": campaign.code, "from": current, "to": to, "reason": reason},
    )
    return campaign


def _release(*, actor: object, campaign: Campaign, **fields: Any) -> Campaign:
    """On its way: at its time (SCHEDULED) or now (SENDING, the task rung after the commit)."""
    if campaign.scheduled_at is not None and campaign.scheduled_at > timezone.now():
        return campaign_transition(
            actor=actor, campaign=campaign, to=CampaignStatus.SCHEDULED, **fields
        )
    campaign_transition(actor=actor, campaign=campaign, to=CampaignStatus.SENDING, **fields)
    campaign_id = campaign.pk
    transaction.on_commit(lambda: _ring_send(campaign_id))
    return campaign


def _ring_send(campaign_id: int) -> None:
    from ..tasks import campaign_send as task

    task.apply_async(args=(campaign_id,), queue="bulk")


def _locked(campaign: Campaign) -> Campaign:
    """The campaign's row locked, and only it: a lock on the joined agency too would
    make every other campaign of the agency (which refers to it) wait, and deadlock
    against one that holds the audit chain's head."""
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=campaign.pk)
    )


def campaign_confirm(*, actor: object, campaign: Campaign) -> Campaign:
    """The composer confirms the count: above the threshold the campaign waits
    for a second member, otherwise it goes (now or at its time)."""
    with transaction.atomic():
        campaign = _locked(campaign)
        if not isinstance(actor, User) or actor.pk != campaign.created_by_id:
            raise PermissionDenied
        _ensure_sender(actor, campaign.agency)
        now = timezone.now()
        if campaign.scheduled_at is not None and campaign.scheduled_at <= now:
            raise CampaignRefused(
                _("زمان ارسالی که گذاشته بودید گذشته است؛ این ارسال را لغو کنید و دوباره بنویسید.")
            )
        if campaign.recipient_count > settings.CAMPAIGN_APPROVAL_THRESHOLD:
            return campaign_transition(
                actor=actor,
                campaign=campaign,
                to=CampaignStatus.AWAITING_APPROVAL,
                confirmed_at=now,
            )
        return _release(actor=actor, campaign=campaign, confirmed_at=now)


def campaign_approve(*, actor: object, campaign: Campaign) -> Campaign:
    """A second member allowed to send approves a large campaign; never its composer."""
    with transaction.atomic():
        campaign = _locked(campaign)
        member = _ensure_sender(actor, campaign.agency)
        if member.pk == campaign.created_by_id:
            raise SecondApprovalRefused
        if campaign.status != CampaignStatus.AWAITING_APPROVAL:
            raise CampaignMoveRefused(campaign.status)
        if campaign.scheduled_at is not None and campaign.scheduled_at <= timezone.now():
            raise CampaignRefused(
                _("زمان ارسال این نامه گذشته است؛ آن را رد کنید تا نویسنده زمان تازه‌ای بگذارد.")
            )
        return _release(
            actor=member, campaign=campaign, approved_by=member, approved_at=timezone.now()
        )


def campaign_cancel(*, actor: object, campaign: Campaign, reason: str = "") -> Campaign:
    """Its composer or another member allowed to send calls off a campaign that
    has not gone yet (a second member declining it gives the reason)."""
    with transaction.atomic():
        campaign = _locked(campaign)
        member = _ensure_sender(actor, campaign.agency)
        reason = normalize_text(" ".join((reason or "").splitlines()))[:500]
        if member.pk != campaign.created_by_id and not reason:
            raise CampaignRefused(_("برای رد ارسال دیگری، دلیل آن را بنویسید."))
        return campaign_transition(
            actor=member, campaign=campaign, to=CampaignStatus.CANCELLED, reason=reason
        )


def campaigns_release_due(*, now: datetime | None = None) -> int:
    """Scheduled campaigns whose time has come go (the beat sweep); returns how many."""
    now = now or timezone.now()
    released = 0
    due = Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now)
    for campaign_id in due.values_list("pk", flat=True)[:100]:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update(skip_locked=True).filter(
                pk=campaign_id, status=CampaignStatus.SCHEDULED
            )
            found = campaign.first()
            if found is None:
                continue
            campaign_transition(actor=None, campaign=found, to=CampaignStatus.SENDING)
            transaction.on_commit(lambda pk=found.pk: _ring_send(pk))  # type: ignore[misc]
            released += 1
    return released


# --- the send -----------------------------------------------------------------------------------


def _kept_uploads(campaign: Campaign) -> list[UploadedFile]:
    return [
        UploadedFile(
            file=item.file.open("rb"),
            name=item.original_name,
            content_type=item.content_type,
            size=item.size,
        )
        for item in campaign.attachments.all()
    ]


def campaign_recipients(campaign: Campaign) -> Recipients:
    """The campaign's recipients read again from what it keeps (its list or file)."""
    if campaign.source == CampaignSource.LIST:
        return _read_list(campaign.recipients_text)
    with campaign.csv_file.open("rb") as handle:
        data = handle.read()
    if campaign.source == CampaignSource.API:
        kept = json.loads(data)
        return Recipients(codes=kept["recipients"], merge=kept["merge"], problems=[])
    return _read_csv(data, fields=campaign.fields)


def campaign_send(*, campaign_id: int) -> Campaign:
    """The task's work: the letter to every recipient through `letter_send`,
    as its composer (who must still be allowed to send), linked to the
    campaign. A refusal at this point (the composer's role was revoked, an
    attachment no longer passes) fails the campaign with the reason."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))  # not the agency (_locked)
            .select_related("agency__mailbox", "created_by")
            .get(pk=campaign_id)
        )
        if campaign.status != CampaignStatus.SENDING:
            return campaign
        uploads: list[UploadedFile] = []
        try:
            found = campaign_recipients(campaign)
            if found.problems and not campaign.skip_invalid:
                raise CampaignRowsRefused(found.problems)
            uploads = _kept_uploads(campaign)
            with transaction.atomic():
                letter = letter_send(
                    actor=campaign.created_by,
                    sender=campaign.agency.mailbox,
                    recipients=found.codes,
                    subject=campaign.subject,
                    body=plain_text_body(campaign.body),
                    attachments=uploads,
                    category=campaign.category,
                    is_legal_notice=campaign.is_legal_notice,
                    reply_allowed=campaign.reply_allowed,
                    merge=found.merge,
                )
                # A letter delivered at once announced itself before it was the
                # campaign's: name the campaign in its webhook rows.
                webhook_events_name_campaign(
                    agency=campaign.agency,
                    tracking_code=letter.tracking_code,
                    campaign_code=campaign.code,
                )
        except PermissionDenied:
            return campaign_transition(
                actor=None,
                campaign=campaign,
                to=CampaignStatus.FAILED,
                reason=_("نویسنده دیگر اجازه‌ی فرستادن نامه از سوی دستگاه را ندارد."),
                error=_("نویسنده دیگر اجازه‌ی فرستادن نامه از سوی دستگاه را ندارد."),
            )
        except UserFacingError as exc:
            return campaign_transition(
                actor=None,
                campaign=campaign,
                to=CampaignStatus.FAILED,
                reason=str(exc)[:500],
                error=str(exc)[:500],
            )
        finally:
            for upload in uploads:
                upload.close()
        return campaign_transition(
            actor=None, campaign=campaign, to=CampaignStatus.SENT, letter=letter
        )
