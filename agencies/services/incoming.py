"""An agency's incoming letters: opening one (through the mailbox's reading path,
so the first read is stamped and every open is an access record naming the
member), handing it to a member, and answering it with a letter that lands in
the writer's thread.

Who may do what (docs/agencies.md, "Incoming letters"):

* every member (admin, sender, reader) reads the letters and their attachments;
* admins and senders hand a letter to any live member of the agency, and hand
  it on again until it is answered;
* a reader takes a letter nobody has yet, for themselves only;
* admins and senders answer (`is_agency_sender`), through `letter_send` from
  the agency's mailbox to the letter's sender, `in_reply_to` the letter; the
  letter is then answered, and a second answer is refused.

Every change is audited (`agency.incoming_assign`, `agency.incoming_answer`,
plus the mailbox's `delivery.read` and `letter.send`)."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from mailbox.constants import SUBJECT_MAX_LENGTH, AccessAction, LetterCategory, ReaderRole
from mailbox.content import plain_text_body
from mailbox.models import Delivery, Letter
from mailbox.services import delivery_mark_read, delivery_record_access, letter_send
from mailbox.services.sending import REPLY_PREFIX
from payam.audit import audit_record

from ..exceptions import (
    AlreadyAssigned,
    AssigneeNotMember,
    IncomingAlreadyAnswered,
    ReaderTakesOnlyUnassigned,
)
from ..models import Agency, IncomingAssignment, IncomingAssignmentChange
from ..selectors import agency_grants
from ..selectors_incoming import Seat, answer_refusal, seat_of


def _seat(actor: object, agency: Agency, delivery: Delivery) -> Seat:
    """The actor's seat at `agency`, whose mailbox received `delivery`; else
    PermissionDenied (not a member, another agency, another mailbox's letter)."""
    try:
        seat = seat_of(user=actor)  # type: ignore[arg-type]
    except Http404:
        raise PermissionDenied from None
    if seat.agency.pk != agency.pk or delivery.recipient_id != agency.mailbox_id:
        raise PermissionDenied
    return seat


def _lock(delivery: Delivery) -> None:
    """Serialize the changes of one incoming letter (two members assigning or
    answering at the same moment): the second waits, then sees the first."""
    list(Delivery.objects.select_for_update().filter(pk=delivery.pk).values_list("pk"))


def _first_answer(agency: Agency, delivery: Delivery) -> Letter | None:
    return (
        Letter.objects.filter(in_reply_to_id=delivery.letter_id, sender_id=agency.mailbox_id)
        .order_by("sent_at", "pk")
        .only("pk", "tracking_code")
        .first()
    )


def answer_subject(letter: Letter) -> str:
    """The answer's subject as the form offers it: «پاسخ: » and the letter's."""
    subject = letter.subject
    if not subject.startswith(REPLY_PREFIX):
        subject = REPLY_PREFIX + subject
    return subject[:SUBJECT_MAX_LENGTH]


def incoming_open(
    *, actor: User, agency: Agency, delivery: Delivery, ip: str | None = None
) -> Delivery:
    """A member opens an incoming letter: `delivery_mark_read` as an agency
    member under their role grant (the first open is the read receipt the
    writer sees; every open is an access record). The assignee's first open
    after someone handed it to them clears their notice."""
    seat = _seat(actor, agency, delivery)
    with transaction.atomic():
        delivery_mark_read(
            actor=actor,
            delivery=delivery,
            acting_as=ReaderRole.AGENCY_MEMBER,
            grant=seat.grant,
            ip=ip,
        )
        IncomingAssignment.objects.filter(
            delivery=delivery, assignee=actor, seen_at__isnull=True
        ).update(seen_at=timezone.now())
    return delivery


def incoming_record_download(
    *, actor: User, agency: Agency, delivery: Delivery, ip: str | None = None
) -> None:
    """A member downloads an attachment: an access record naming them."""
    seat = _seat(actor, agency, delivery)
    delivery_record_access(
        actor=actor,
        delivery=delivery,
        action=AccessAction.DOWNLOAD,
        acting_as=ReaderRole.AGENCY_MEMBER,
        grant=seat.grant,
        ip=ip,
    )


def incoming_assign(
    *, actor: User, agency: Agency, delivery: Delivery, assignee: User
) -> IncomingAssignment:
    """Hand an incoming letter to `assignee`, a live member of the agency. Admins
    and senders hand any letter to anyone; a reader takes an unassigned letter
    for themselves (ReaderTakesOnlyUnassigned otherwise). Refused once the letter
    is answered (IncomingAlreadyAnswered), or when it is already theirs
    (AlreadyAssigned). A history row and an audit row; someone handed a letter by
    another member finds it on their desk as new until they open it."""
    seat = _seat(actor, agency, delivery)
    with transaction.atomic():
        _lock(delivery)
        assignment = (
            IncomingAssignment.objects.select_related("assignee").filter(delivery=delivery).first()
        )
        answer = _first_answer(agency, delivery)
        if answer is not None:
            raise IncomingAlreadyAnswered(answer.tracking_code)
        if not seat.may_send and (assignee.pk != actor.pk or assignment is not None):
            raise ReaderTakesOnlyUnassigned
        if not (
            assignee.is_active
            and agency_grants(agency).filter(user=assignee, revoked_at__isnull=True).exists()
        ):
            raise AssigneeNotMember
        if assignment is not None and assignment.assignee_id == assignee.pk:
            raise AlreadyAssigned(assignee.display_name)
        now = timezone.now()
        previous = assignment.assignee if assignment is not None else None
        seen_at = now if assignee.pk == actor.pk else None
        if assignment is None:
            assignment = IncomingAssignment.objects.create(
                delivery=delivery,
                assignee=assignee,
                assigned_by=actor,
                assigned_at=now,
                seen_at=seen_at,
            )
        else:
            assignment.assignee, assignment.assigned_by = assignee, actor
            assignment.assigned_at, assignment.seen_at = now, seen_at
            assignment.save(update_fields=["assignee", "assigned_by", "assigned_at", "seen_at"])
        IncomingAssignmentChange.objects.create(
            assignment=assignment, from_assignee=previous, to_assignee=assignee, actor=actor, at=now
        )
        audit_record(
            actor=actor,
            action="agency.incoming_assign",
            target=assignment,
            data={
                "agency": agency.pk,
                "letter": delivery.letter.tracking_code,
                "from": previous.pk if previous is not None else None,
                "to": assignee.pk,
            },
        )
    return assignment


def incoming_answer(
    *,
    actor: User,
    agency: Agency,
    delivery: Delivery,
    subject: str,
    text: str,
    attachments: Sequence[UploadedFile] = (),
    ip: str | None = None,
) -> Letter:
    """Answer an incoming letter: a letter from the agency's mailbox to the
    letter's sender, `in_reply_to` it (so it lands in the writer's thread and
    their sent letter reads «پاسخ داده شد»), that takes replies. Plain text,
    escaped, its paragraphs kept; attachments with the mailbox's content checks.
    Admins and senders only (PermissionDenied); a letter from another agency, or
    from a mailbox nobody owns, or the agency's own, cannot be answered here
    (IncomingNotAnswerable); a letter answered already is refused
    (IncomingAlreadyAnswered); and whatever `letter_send` refuses (InvalidLetter,
    AttachmentRefused). The assignment is marked answered (made, to the one who
    answered, when nobody had it)."""
    seat = _seat(actor, agency, delivery)
    if not seat.may_send:
        raise PermissionDenied
    letter = delivery.letter
    refusal = answer_refusal(seat=seat, delivery=delivery)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        _lock(delivery)
        earlier = _first_answer(agency, delivery)
        if earlier is not None:
            raise IncomingAlreadyAnswered(earlier.tracking_code)
        answer = letter_send(
            actor=actor,
            sender=agency.mailbox,
            recipients=[letter.sender],
            subject=subject,
            body=plain_text_body(text),
            attachments=attachments,
            category=LetterCategory.GENERAL,
            reply_allowed=True,
            in_reply_to=letter,
        )
        now = timezone.now()
        assignment = IncomingAssignment.objects.filter(delivery=delivery).first()
        if assignment is None:
            assignment = IncomingAssignment.objects.create(
                delivery=delivery, assignee=actor, assigned_by=actor, assigned_at=now, seen_at=now
            )
            IncomingAssignmentChange.objects.create(
                assignment=assignment, to_assignee=actor, actor=actor, at=now
            )
        assignment.answered_letter, assignment.answered_by = answer, actor
        assignment.answered_at = now
        assignment.save(update_fields=["answered_letter", "answered_by", "answered_at"])
        delivery_record_access(
            actor=actor,
            delivery=delivery,
            action=AccessAction.REPLY,
            acting_as=ReaderRole.AGENCY_MEMBER,
            grant=seat.grant,
            ip=ip,
        )
        audit_record(
            actor=actor,
            action="agency.incoming_answer",
            target=assignment,
            data={
                "agency": agency.pk,
                "letter": letter.tracking_code,
                "answer": answer.tracking_code,
            },
        )
    return answer
