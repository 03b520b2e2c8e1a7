"""What the brokers app teaches the mailbox (registered in BrokersConfig.ready)."""

from typing import Any

from django.db import models

from mailbox.models import Delivery

from .models import Delegation
from .selectors import office_of


def clerk_may_read(user: Any, delivery: Delivery, grant: models.Model | None) -> bool:
    """A clerk of the delegation's (active) office, while the delegation is live
    and covers this letter."""
    if not isinstance(grant, Delegation) or not grant.is_live() or not grant.covers(delivery):
        return False
    office = office_of(user)
    return office is not None and office.pk == grant.office_id
