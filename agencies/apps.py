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


def member_may_read(user: Any, delivery: Any, grant: Any) -> bool:
    """An agency's members (admins, senders, readers) read the letters its mailbox
    received, each under their own live role grant for that agency (the grant an
    access record names)."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import RoleGrant
    from accounts.roles import AGENCY_ROLES

    from .models import Agency

    if not (
        isinstance(grant, RoleGrant)
        and grant.user_id == user.pk
        and grant.revoked_at is None
        and grant.role in AGENCY_ROLES
        and grant.organization_id is not None
    ):
        return False
    return (
        grant.organization_type_id == ContentType.objects.get_for_model(Agency).pk
        and Agency.objects.filter(
            pk=grant.organization_id, mailbox_id=delivery.recipient_id
        ).exists()
    )


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("دستگاه‌ها")

    def ready(self) -> None:
        from mailbox import permissions
        from mailbox.constants import ReaderRole

        from . import receivers  # noqa: F401 — connects the webhooks' receivers

        permissions.register_send_check(member_may_send)
        permissions.register_read_check(ReaderRole.AGENCY_MEMBER, member_may_read)
