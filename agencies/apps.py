from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def member_may_send(actor: Any, mailbox: Any) -> bool:
    """An agency's admins and senders send as its mailbox (readers do not)."""
    from accounts.roles import is_agency_sender, user_agency

    if not is_agency_sender(actor):
        return False
    agency = user_agency(actor)
    return agency is not None and getattr(agency, "mailbox_id", None) == mailbox.pk


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("دستگاه‌ها")

    def ready(self) -> None:
        from mailbox import permissions

        permissions.register_send_check(member_may_send)
