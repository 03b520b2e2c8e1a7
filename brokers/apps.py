from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brokers"
    verbose_name = _("دفاتر پیشخوان")

    def ready(self) -> None:
        from mailbox import permissions
        from mailbox.constants import ReaderRole

        from .permissions import clerk_may_read

        permissions.register_read_check(ReaderRole.BROKER_CLERK, clerk_may_read)
