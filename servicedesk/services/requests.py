"""The request engine's writes: create, fill, attach, submit, withdraw, assign,
move (the one state machine of constants.REQUEST_TRANSITIONS), deficiencies and
the message thread. Every move: a RequestChange row, an audit row, and the
applicant told by SMS and e-mail after the commit."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import is_ito_expert
from mailbox.content import CheckedAttachment, check_attachment
from mailbox.models import Mailbox
from payam import tracking
from payam.audit import audit_record
from payam.text import localized_digits, normalize_text

from .. import types
from ..constants import (
    DEFICIENCY_MAX_LENGTH,
    EDITABLE,
    EXPERT_TARGETS,
    FINAL,
    FIRST_NUMBER,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_ATTACHMENTS_PER_REQUEST,
    MAX_DEFICIENCIES,
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REQUEST_TRANSITIONS,
    SLOT_MAX_LENGTH,
    AttachmentSlot,
    RequestStatus,
)
from ..exceptions import (
    DeficiencyNotOpen,
    DuplicateOpenRequest,
    EmptyDeficiencies,
    EmptyMessage,
    EmptyReason,
    InvalidSlot,
    InvalidTransition,
    NotAnExpert,
    NotEditable,
    PdfRequired,
    StaleRequest,
    SubmitBlocked,
    TooManyAttachments,
    TooManyDeficiencies,
    UnknownRequestType,
)
from ..models import (
    Deficiency,
    Request,
    RequestAttachment,
    RequestChange,
    RequestCounter,
    RequestMessage,
)
from ..selectors import is_member_of, other_open_request, snapshot_of
from .notify import notify_applicant

S = RequestStatus
# Slots that hold one file: a new upload replaces the one before.
SINGLE_SLOTS = frozenset({AttachmentSlot.REQUEST_LETTER})


# --- guards ---------------------------------------------------------------------------------


def as_user(actor: AbstractBaseUser) -> User:
    """The acting account as a User (anything else may do nothing here)."""
    if not isinstance(actor, User):
        raise PermissionDenied
    return actor


def _ensure_member(actor: AbstractBaseUser, request: Request) -> None:
    if not is_member_of(user=actor, applicant=request.applicant):
        raise PermissionDenied


def _ensure_expert(actor: AbstractBaseUser) -> None:
    if not is_ito_expert(actor):
        raise PermissionDenied


def _locked(request: Request) -> Request:
    return (
        Request.objects.select_for_update()
        .select_related("applicant", "filed_by")
        .get(pk=request.pk)
    )


def _copy_into(target: Request, source: Request) -> None:
    """Let the caller's object see what the locked row became."""
    for field in Request._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _next_number() -> int:
    counter, _created = RequestCounter.objects.select_for_update().get_or_create(
        pk=1, defaults={"last": FIRST_NUMBER - 1}
    )
    counter.last = max(counter.last + 1, FIRST_NUMBER)
    counter.save(update_fields=["last"])
    return counter.last


# --- create and fill ------------------------------------------------------------------------


def request_create(*, actor: AbstractBaseUser, applicant: Mailbox, kind: str) -> Request:
    """A new draft of type `kind` for the organization `actor` acts for, with
    the next number and a tracking code. (The page asks for confirmation first.)"""
    if not is_member_of(user=actor, applicant=applicant):
        raise PermissionDenied
    try:
        request_type = types.get(kind)
    except KeyError:
        raise UnknownRequestType from None
    with transaction.atomic():
        request = Request.objects.create(
            number=_next_number(),
            tracking_code=tracking.issue(kind=tracking.TrackingKind.REQUEST),
            kind=request_type.code,
            area=request_type.area,
            applicant=applicant,
            filed_by=as_user(actor),
            status=S.DRAFT,
        )
        audit_record(
            actor=actor,
            action="service_request.create",
            target=request,
            data={"kind": kind, "number": request.number, "code": request.tracking_code},
        )
    return request


def _ensure_editable(request: Request) -> None:
    if request.status not in EDITABLE:
        raise NotEditable(request.status)


def request_update_data(
    *, actor: AbstractBaseUser, request: Request, data: dict[str, Any]
) -> Request:
    """Merge `data`'s keys into the request's data (a key given as None is
    removed). Only a draft or a deficient request, only by the applicant's
    members: a forged POST on a submitted request is refused (NotEditable)."""
    _ensure_member(actor, request)
    with transaction.atomic():
        locked = _locked(request)
        _ensure_editable(locked)
        merged = dict(locked.data or {})
        for key, value in data.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        locked.data = merged
        locked.save(update_fields=["data", "updated_at"])
        audit_record(
            actor=actor,
            action="service_request.update",
            target=locked,
            data={"keys": sorted(data)},
        )
    _copy_into(request, locked)
    return request


def _clean_slot(slot: str) -> str:
    slot = (slot or "").strip()
    if not slot or len(slot) > SLOT_MAX_LENGTH or not slot.replace("_", "").isalnum():
        raise InvalidSlot
    return slot


def _store(
    checked: CheckedAttachment,
    *,
    request: Request,
    slot: str,
    actor: AbstractBaseUser,
    message: RequestMessage | None = None,
) -> RequestAttachment:
    return RequestAttachment.objects.create(
        request=request,
        slot=slot,
        message=message,
        file=checked.upload,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=as_user(actor),
    )


def _delete_files(attachments: "QuerySet[RequestAttachment]") -> None:
    """Delete the rows now and their stored files once the deletion committed."""
    names = [(a.file.storage, a.file.name) for a in attachments if a.file.name]
    attachments.delete()

    def remove() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def request_attach(
    *,
    actor: AbstractBaseUser,
    request: Request,
    slot: str,
    upload: UploadedFile,
    replace: bool = False,
) -> RequestAttachment:
    """Attach a PDF, JPEG or PNG (by content, ≤ 10 MB: mailbox.content's checks)
    in `slot`. The request letter must be a PDF and replaces the one before, as
    does any slot with `replace=True`. Only while editable, only by members."""
    _ensure_member(actor, request)
    slot = _clean_slot(slot)
    if slot == AttachmentSlot.MESSAGE:
        raise InvalidSlot
    checked = check_attachment(upload)
    if slot == AttachmentSlot.REQUEST_LETTER and checked.content_type != "application/pdf":
        raise PdfRequired
    with transaction.atomic():
        locked = _locked(request)
        _ensure_editable(locked)
        if replace or slot in SINGLE_SLOTS:
            replaced = list(
                locked.attachments.filter(slot=slot, message__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            _delete_files(RequestAttachment.objects.filter(pk__in=replaced))
        else:
            replaced = []
        if locked.attachments.filter(message__isnull=True).count() >= MAX_ATTACHMENTS_PER_REQUEST:
            raise TooManyAttachments(MAX_ATTACHMENTS_PER_REQUEST)
        attachment = _store(checked, request=locked, slot=slot, actor=actor)
        locked.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="service_request.attach",
            target=locked,
            data={
                "slot": slot,
                "name": attachment.original_name,
                "sha256": attachment.sha256,
                "replaced": replaced,
            },
        )
    _copy_into(request, locked)
    return attachment


def request_detach(*, actor: AbstractBaseUser, request: Request, attachment_id: int) -> None:
    """Remove one of the request's own attachments (not a message's) while editable."""
    _ensure_member(actor, request)
    with transaction.atomic():
        locked = _locked(request)
        _ensure_editable(locked)
        attachment = locked.attachments.filter(pk=attachment_id, message__isnull=True).first()
        if attachment is None:
            raise PermissionDenied
        facts = {
            "slot": attachment.slot,
            "name": attachment.original_name,
            "sha256": attachment.sha256,
        }
        _delete_files(RequestAttachment.objects.filter(pk=attachment.pk))
        locked.save(update_fields=["updated_at"])
        audit_record(actor=actor, action="service_request.detach", target=locked, data=facts)
    _copy_into(request, locked)


# --- the moves ------------------------------------------------------------------------------

_NOTICES: dict[str, Promise] = {
    S.SUBMITTED: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) ارسال شد و در نوبت بررسی کارشناس است."
    ),
    S.WITHDRAWN: gettext_lazy("از درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) انصراف دادید."),
    S.IN_REVIEW: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) در حال بررسی کارشناس است."
    ),
    S.DEFICIENT: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) برای رفع نواقص بازگشت. نواقص را در "
        "میز خدمت ببینید، رفع کنید و دوباره ارسال کنید."
    ),
    S.WORKING_GROUP: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) به کارگروه ارجاع شد."
    ),
    S.CONTRACTS: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) به امور قراردادها ارجاع شد."
    ),
    S.ISSUED: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) صادر شد؛ مجوز را از میز خدمت بگیرید."
    ),
    S.REJECTED: gettext_lazy(
        "درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) رد شد. دلیل: %(reason)s"
    ),
}


def _notice(request: Request, to: str, reason: str) -> str:
    text = str(_NOTICES[to]) % {
        "number": localized_digits(request.number),
        "code": request.tracking_code,
        "reason": reason,
    }
    return _("پیام ایران") + "\n" + text


def _move(
    *,
    actor: AbstractBaseUser,
    locked: Request,
    to: str,
    reason: str = "",
    snapshot: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> RequestChange:
    """Move a locked request (select_for_update, in the caller's transaction)
    along REQUEST_TRANSITIONS with a status-guarded UPDATE: the history row, the
    audit row and the notices. InvalidTransition otherwise."""
    current = locked.status
    if to not in REQUEST_TRANSITIONS[current]:
        raise InvalidTransition(current, to)
    now = timezone.now()
    fields: dict[str, Any] = {"status": to, "updated_at": now, **(extra or {})}
    if to == S.SUBMITTED:
        fields["submitted_at"] = now
    if to in (S.ISSUED, S.REJECTED):
        fields["decided_at"] = now
    if to in FINAL:
        fields["open_key"] = ""
    updated = Request.objects.filter(pk=locked.pk, status=current).update(**fields)
    if not updated:  # moved by someone else since it was read
        raise StaleRequest(Request.objects.get(pk=locked.pk).status)
    for name, value in fields.items():
        setattr(locked, name, value)
    change = RequestChange.objects.create(
        request=locked,
        from_status=current,
        to_status=to,
        actor=as_user(actor),
        reason=reason,
        snapshot=snapshot,
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"service_request.{to}",
        target=locked,
        data={"from": current, "to": to, "reason": reason},
    )
    notify_applicant(
        locked,
        subject=_("پیام ایران: درخواست %(number)s") % {"number": localized_digits(locked.number)},
        body=_notice(locked, to, reason),
        key=f"request:{locked.pk}:{change.pk}",
    )
    return change


def request_submit(*, actor: AbstractBaseUser, request: Request) -> Request:
    """Send a draft, or a deficient request again, for expert review: the type's
    own checks, every deficiency of the current round ticked, and at most one
    open request per the type's key. Records a snapshot of the data and the
    attachments' hashes so the expert sees what changed."""
    _ensure_member(actor, request)
    with transaction.atomic():
        locked = _locked(request)
        if locked.status not in EDITABLE:
            raise InvalidTransition(locked.status, S.SUBMITTED)
        request_type = types.get(locked.kind)
        problems = [str(p) for p in request_type.validate_submit(locked)]
        if locked.status == S.DEFICIENT:
            unfixed = locked.deficiencies.filter(round=locked.round, fixed_at__isnull=True).count()
            if unfixed:
                problems.append(
                    _("%(count)s نقص هنوز علامت «رفع شد» نخورده است.")
                    % {"count": localized_digits(unfixed)}
                )
        if problems:
            raise SubmitBlocked(problems)
        extra: dict[str, Any] = {}
        if request_type.one_open_per is not None:
            key = str(request_type.one_open_per(locked))[:200]
            if key:
                other = other_open_request(locked, key=key)
                if other is not None:
                    raise DuplicateOpenRequest(other.number)
                extra["open_key"] = key
        try:
            with transaction.atomic():
                _move(
                    actor=actor,
                    locked=locked,
                    to=S.SUBMITTED,
                    snapshot=snapshot_of(locked),
                    extra=extra,
                )
        except IntegrityError:
            other = other_open_request(locked, key=extra.get("open_key", ""))
            raise DuplicateOpenRequest(other.number if other else locked.number) from None
    _copy_into(request, locked)
    return request


def request_withdraw(*, actor: AbstractBaseUser, request: Request, reason: str = "") -> Request:
    """The applicant gives up a request before an expert took it up (draft,
    submitted) or while it is back with them (deficient)."""
    _ensure_member(actor, request)
    reason = normalize_text(reason).strip()[:REASON_MAX_LENGTH]
    with transaction.atomic():
        locked = _locked(request)
        _move(actor=actor, locked=locked, to=S.WITHDRAWN, reason=reason)
    _copy_into(request, locked)
    return request


def request_assign(*, actor: AbstractBaseUser, request: Request, expert: User) -> Request:
    """Put a request in `expert`'s hands (an expert takes it or hands it to a
    colleague). Audited; the applicant is not told."""
    _ensure_expert(actor)
    if not is_ito_expert(expert):
        raise NotAnExpert
    with transaction.atomic():
        locked = _locked(request)
        if locked.status == S.DRAFT or locked.status in FINAL:
            raise InvalidTransition(locked.status, locked.status)
        previous = locked.assigned_to_id
        locked.assigned_to = expert
        locked.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            actor=actor,
            action="service_request.assign",
            target=locked,
            data={"to": expert.pk, "from": previous},
        )
    _copy_into(request, locked)
    return request


def clean_deficiencies(lines: Sequence[str]) -> list[str]:
    """Trimmed items, blank lines and repeats dropped; EmptyDeficiencies when none
    is left, TooManyDeficiencies past MAX_DEFICIENCIES."""
    items: list[str] = []
    for line in lines:
        item = normalize_text(line).strip(" -•\t\r\n")
        if item and item not in items:
            items.append(item[:DEFICIENCY_MAX_LENGTH])
    if not items:
        raise EmptyDeficiencies
    if len(items) > MAX_DEFICIENCIES:
        raise TooManyDeficiencies(MAX_DEFICIENCIES)
    return items


def request_transition(
    *,
    actor: AbstractBaseUser,
    request: Request,
    to: str,
    reason: str = "",
    deficiencies: list[str] | None = None,
    seen_status: str | None = None,
) -> Request:
    """An expert's move: take up for review, send back with deficiencies, refer to
    the working group or to contracts, issue, reject with a reason.

    The row is locked (select_for_update) and must still be in the status the
    expert saw (`seen_status`, by default the status of the `request` object
    they hold): of two experts moving one request at once, one wins and the
    other gets StaleRequest, nothing changed."""
    _ensure_expert(actor)
    to = S(to)
    expected = seen_status or request.status
    if to not in EXPERT_TARGETS:
        raise InvalidTransition(expected, to)
    reason = normalize_text(reason).strip()[:REASON_MAX_LENGTH]
    items: list[str] = []
    if to == S.REJECTED and not reason:
        raise EmptyReason
    if to == S.DEFICIENT:
        items = clean_deficiencies(deficiencies or [])
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != expected:
            raise StaleRequest(locked.status)
        extra: dict[str, Any] = {}
        if to == S.IN_REVIEW and locked.assigned_to_id is None:
            extra["assigned_to_id"] = actor.pk
        if to == S.DEFICIENT:
            extra["round"] = locked.round + 1
        _move(
            actor=actor,
            locked=locked,
            to=to,
            reason=reason if to != S.DEFICIENT else "\n".join(items),
            extra=extra,
        )
        if to == S.DEFICIENT:
            Deficiency.objects.bulk_create(
                [
                    Deficiency(
                        request=locked,
                        round=locked.round,
                        position=position,
                        text=text,
                        created_by=as_user(actor),
                    )
                    for position, text in enumerate(items, start=1)
                ]
            )
    _copy_into(request, locked)
    return request


def deficiency_mark_fixed(
    *, actor: AbstractBaseUser, deficiency: Deficiency, fixed: bool
) -> Deficiency:
    """The applicant ticks (or unticks) one item of the current round while the
    request is back with them."""
    request = deficiency.request
    _ensure_member(actor, request)
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != S.DEFICIENT or deficiency.round != locked.round:
            raise DeficiencyNotOpen
        row = Deficiency.objects.select_for_update().get(pk=deficiency.pk, request=locked)
        if fixed and row.fixed_at is None:
            row.fixed_at, row.fixed_by = timezone.now(), as_user(actor)
        elif not fixed:
            row.fixed_at, row.fixed_by = None, None
        row.save(update_fields=["fixed_at", "fixed_by"])
        audit_record(
            actor=actor,
            action="service_request.deficiency_fixed"
            if fixed
            else "service_request.deficiency_open",
            target=locked,
            data={"deficiency": row.pk, "round": row.round},
        )
    deficiency.fixed_at, deficiency.fixed_by_id = row.fixed_at, row.fixed_by_id
    return deficiency


# --- the message thread ---------------------------------------------------------------------


def request_message_post(
    *,
    actor: AbstractBaseUser,
    request: Request,
    text: str,
    uploads: Sequence[UploadedFile] = (),
) -> RequestMessage:
    """A message on the request's thread by the applicant's member or an expert,
    with up to MAX_ATTACHMENTS_PER_MESSAGE files; an expert's message is told to
    the applicant. Not on a draft (no expert sees it yet): ask with a ticket."""
    from_expert = is_ito_expert(actor) and not is_member_of(user=actor, applicant=request.applicant)
    if not from_expert:
        _ensure_member(actor, request)
    text = normalize_text(text).strip()[:MESSAGE_MAX_LENGTH]
    if not text:
        raise EmptyMessage
    if len(uploads) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise TooManyAttachments(MAX_ATTACHMENTS_PER_MESSAGE)
    checked = [check_attachment(upload) for upload in uploads]
    with transaction.atomic():
        locked = _locked(request)
        if locked.status == S.DRAFT:
            raise InvalidTransition(locked.status, S.DRAFT)
        message = RequestMessage.objects.create(
            request=locked, author=as_user(actor), from_expert=from_expert, text=text
        )
        for item in checked:
            _store(item, request=locked, slot=AttachmentSlot.MESSAGE, actor=actor, message=message)
        audit_record(
            actor=actor,
            action="service_request.message",
            target=locked,
            data={"message": message.pk, "files": len(checked)},
        )
        if from_expert:
            notify_applicant(
                locked,
                subject=_("پیام ایران: پیام تازه درباره‌ی درخواست %(number)s")
                % {"number": localized_digits(locked.number)},
                body=_("پیام ایران")
                + "\n"
                + _(
                    "کارشناس درباره‌ی درخواست شماره‌ی %(number)s (کد رهگیری %(code)s) پیام "
                    "تازه‌ای فرستاد؛ آن را در میز خدمت ببینید."
                )
                % {"number": localized_digits(locked.number), "code": locked.tracking_code},
                key=f"request-message:{message.pk}",
            )
    return message
