"""factory_boy factories for sms: sender numbers (short codes under 4040).

    SenderNumberFactory()        # an agency's fresh short code: 404090000, 404090001, …
    MaliatSenderFactory()        # the tax organization's 4040123, masked MALIAT
    SystemSenderFactory()        # 4040, the portal's own (a data migration makes it)

A number is looked up before it is made (get_or_create), so asking twice for the
same sender gives the same row.
"""

import factory
from factory.django import DjangoModelFactory

from sms.constants import SYSTEM_SENDER, SenderKind
from sms.models import SenderNumber


class SenderNumberFactory(DjangoModelFactory):
    class Meta:
        model = SenderNumber
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"40409{n:04d}")
    owner_label = "سازمان امور مالیاتی کشور"
    kind = SenderKind.AGENCY
    mask: str | None = None


class MaliatSenderFactory(SenderNumberFactory):
    number = "4040123"
    mask = "MALIAT"


class SystemSenderFactory(SenderNumberFactory):
    number = SYSTEM_SENDER
    owner_label = "پیام ایران"
    kind = SenderKind.SYSTEM
