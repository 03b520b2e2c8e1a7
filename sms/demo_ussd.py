"""The demo USSD service *4*1# «پیام ایران». Seeding again changes nothing, and keeps
what an administrator edited since."""

from django.db import transaction

from .constants import UssdAction
from .models import UssdNode, UssdService

DEMO_CODE = "*4*1#"
ABOUT_TEXT = (
    "پیام ایران، درگاه ملی پیام‌رسانی رسمی: نامه‌های دستگاه‌های اجرایی در کارپوشه‌ی شما."
    " پیامک رسمی فقط از سرشماره‌های ۴۰۴۰ می‌آید."
)
DEMO_OPTIONS = (
    (1, "آیا این پیامک رسمی است؟", UssdAction.SENDER_CHECK, ""),
    (2, "درباره‌ی پیام ایران", UssdAction.TEXT, ABOUT_TEXT),
)


@transaction.atomic
def seed_ussd() -> None:
    service, _ = UssdService.objects.get_or_create(
        code=DEMO_CODE,
        defaults={
            "title": "پیام ایران",
            "owner_label": "پیام ایران (سامانه‌ی ملی پیام‌رسانی رسمی)",
            "is_active": True,
        },
    )
    root, _ = UssdNode.objects.get_or_create(
        service=service,
        parent=None,
        defaults={"key": 1, "title": "پیام ایران", "action": UssdAction.MENU},
    )
    for key, title, action, text in DEMO_OPTIONS:
        UssdNode.objects.get_or_create(
            service=service,
            parent=root,
            key=key,
            defaults={"title": title, "action": action, "text": text},
        )
