from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailbox"
    verbose_name = _("کارپوشه")

    def ready(self) -> None:
        from sms.constants import UssdAction
        from sms.ussd import register_action

        from . import receivers  # noqa: F401  (connects the receivers)
        from .constants import ReaderRole
        from .permissions import proxy_may_read, register_read_check
        from .ussd import unread_count_handler

        register_action(UssdAction.UNREAD_COUNT, unread_count_handler)
        register_read_check(ReaderRole.PROXY, proxy_may_read)
