"""Demo senders: the portal's own 4040 and two agencies' short codes."""

from payam.demo import DemoLogin

from .constants import SYSTEM_SENDER, SenderKind
from .demo_ussd import seed_ussd
from .models import SenderNumber

DEMO_SENDERS = (
    (SYSTEM_SENDER, None, "پیام ایران (سامانه‌ی ملی پیام‌رسانی رسمی)", SenderKind.SYSTEM),
    ("4040123", "MALIAT", "سازمان امور مالیاتی کشور", SenderKind.AGENCY),
    ("4040456", None, "سازمان تأمین اجتماعی", SenderKind.AGENCY),
)


def seed() -> list[DemoLogin]:
    for number, mask, owner, kind in DEMO_SENDERS:
        SenderNumber.objects.update_or_create(
            number=number,
            defaults={"mask": mask, "owner_label": owner, "kind": kind, "is_active": True},
        )
    seed_ussd()
    return []
