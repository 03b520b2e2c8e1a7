from sms.constants import SenderKind
from sms.models import SenderNumber


def system_sender() -> SenderNumber:
    return SenderNumber.objects.get_or_create(
        number="4040",
        defaults={"owner_label": "پیام ایران", "kind": SenderKind.SYSTEM},
    )[0]


def agency_sender(number: str = "4040123", mask: str | None = "MALIAT") -> SenderNumber:
    return SenderNumber.objects.get_or_create(
        number=number,
        defaults={
            "owner_label": "سازمان امور مالیاتی کشور",
            "kind": SenderKind.AGENCY,
            "mask": mask,
        },
    )[0]
