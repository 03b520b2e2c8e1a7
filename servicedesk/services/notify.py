"""Telling the applicant: an SMS (queued in the caller's transaction, sent after it
commits) and an e-mail (started after the commit), to the contacts the
organization gave."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from accounts.selectors import profile_of
from mailbox.constants import MailboxKind
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..models import Request


@dataclass(frozen=True)
class Contacts:
    mobile: str = ""
    email: str = ""


def contacts_of(request: Request) -> Contacts:
    """A company: its verified mobile and e-mail, as its notification settings
    say. An agency: the member who filed the request, by e-mail if they gave one
    (staff accounts keep no mobile)."""
    applicant = request.applicant
    if applicant.kind == MailboxKind.LEGAL and applicant.owner_id is not None:
        profile = profile_of(applicant.owner)
        if profile is None:
            return Contacts()
        return Contacts(
            mobile=profile.mobile if profile.notify_by_sms else "",
            email=profile.email
            if profile.notify_by_email and profile.email_verified_at is not None
            else "",
        )
    filer = request.filed_by
    return Contacts(email=filer.email if isinstance(filer, User) else "")


def notify_applicant(request: Request, *, subject: str, body: str, key: str) -> None:
    """`key` makes the SMS once-only (a retried move queues nothing twice)."""
    contacts = contacts_of(request)
    if contacts.mobile:
        sms_queue(
            sender=SYSTEM_SENDER,
            to=contacts.mobile,
            body=body,
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"servicedesk:{key}",
        )
    if contacts.email:
        from ..tasks import send_email

        to = contacts.email
        transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body))
