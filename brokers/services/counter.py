"""At the counter, for a person with a live delegation to the office: view a
letter, print it (the mailbox's PDF with the office's note), hand it over. Every
view and print is the mailbox's access record, which the owner sees with the
office, the clerk and the time; every print is also an SMS to the owner."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import NaturalPerson, User
from mailbox.constants import AccessAction, ReaderRole
from mailbox.models import Delivery
from mailbox.pdf import letter_pdf
from mailbox.permissions import may_read
from mailbox.services import delivery_mark_read, delivery_record_access
from payam.audit import audit_record
from payam.jalali import format_datetime_long, persian_date_long
from payam.text import to_persian_digits
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import OfficeEventKind
from ..exceptions import PrintNotAllowed
from ..models import BrokerOffice, Delegation
from ..selectors import current_tariff
from .common import Actor, acting_office, event_record


def _ensure(actor: Actor, delegation: Delegation, delivery: Delivery) -> tuple[BrokerOffice, User]:
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101
    if delegation.office_id != office.pk or not may_read(
        actor, delivery, acting_as=ReaderRole.BROKER_CLERK, grant=delegation
    ):
        raise PermissionDenied
    return office, actor


def counter_view(*, actor: Actor, delegation: Delegation, delivery: Delivery) -> Delivery:
    office, clerk = _ensure(actor, delegation, delivery)
    with transaction.atomic():
        delivery = delivery_mark_read(
            actor=clerk,
            delivery=delivery,
            acting_as=ReaderRole.BROKER_CLERK,
            grant=delegation,
            place=office.label,
        )
        event_record(
            office=office,
            clerk=clerk,
            kind=OfficeEventKind.VIEW,
            delegation=delegation,
            delivery_id=delivery.pk,
            person=delegation.owner,
        )
    return delivery


def print_footer(*, office: BrokerOffice, clerk: User) -> str:
    """The note under a letter printed at an office, in Persian (the paper is the
    official letter, whatever the clerk's language)."""
    now = timezone.localtime()
    with translation.override("fa"):
        text = _("چاپ‌شده در %(office)s به دست %(clerk)s در %(date)s، ساعت %(time)s")
    return text % {
        "office": office.label,
        "clerk": clerk.display_name,
        "date": persian_date_long(now.date()),
        "time": to_persian_digits(f"{now:%H:%M}"),
    }


def counter_print(
    *, actor: Actor, delegation: Delegation, delivery: Delivery, verify_url: str
) -> bytes:
    """The letter's PDF with the office's note; recorded (access record, the
    office's print with the tariff in force) and told to the owner by SMS."""
    office, clerk = _ensure(actor, delegation, delivery)
    if not delegation.may_print:
        raise PrintNotAllowed
    content = letter_pdf(
        delivery=delivery, verify_url=verify_url, footer=print_footer(office=office, clerk=clerk)
    )
    tariff = current_tariff()
    with transaction.atomic():
        record = delivery_record_access(
            actor=clerk,
            delivery=delivery,
            action=AccessAction.PRINT,
            acting_as=ReaderRole.BROKER_CLERK,
            grant=delegation,
            place=office.label,
        )
        event = event_record(
            office=office,
            clerk=clerk,
            kind=OfficeEventKind.PRINT,
            delegation=delegation,
            delivery_id=delivery.pk,
            person=delegation.owner,
            fee_rials=tariff.fee_rials if tariff is not None else 0,
        )
        profile = NaturalPerson.objects.filter(user_id=delegation.owner_id).first()
        if profile is not None:
            sms_queue(
                sender=SYSTEM_SENDER,
                to=profile.mobile,
                body=_("پیام ایران\nنامه‌ی %(code)s شما در %(office)s در %(when)s چاپ شد.")
                % {
                    "code": delivery.letter.tracking_code,
                    "office": office.label,
                    "when": format_datetime_long(record.at if record else event.at),
                },
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"broker-print:{event.pk}",
            )
    return content


def counter_hand_over(*, actor: Actor, delegation: Delegation, delivery: Delivery) -> None:
    """The printed letter was handed to the person."""
    office, clerk = _ensure(actor, delegation, delivery)
    if not delegation.may_print:
        raise PrintNotAllowed
    with transaction.atomic():
        event_record(
            office=office,
            clerk=clerk,
            kind=OfficeEventKind.HANDOVER,
            delegation=delegation,
            delivery_id=delivery.pk,
            person=delegation.owner,
        )
        audit_record(
            actor=clerk,
            action="delegation.hand_over",
            target=delegation,
            acting_for=delegation.owner,
            data={"letter": delivery.letter.tracking_code, "office": office.code},
        )
