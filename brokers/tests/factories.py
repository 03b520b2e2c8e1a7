"""factory_boy factories for the brokers app.

BrokerOfficeFactory()                                   # a Tehran counter office
BrokerOfficeFactory(kind=OfficeKind.JUDICIARY, city="اصفهان")
"""

import factory
from factory.django import DjangoModelFactory

from brokers.constants import OfficeKind
from brokers.models import BrokerOffice


class BrokerOfficeFactory(DjangoModelFactory):
    class Meta:
        model = BrokerOffice

    code = factory.Sequence(lambda n: f"{11000 + n}")
    kind = OfficeKind.GOVERNMENT_COUNTER
    name = factory.Sequence(lambda n: f"دفتر پیشخوان شماره‌ی {n}")
    province = "تهران"
    city = "تهران"
    address = "تهران، خیابان آزادی"
    phone = "02188000000"
