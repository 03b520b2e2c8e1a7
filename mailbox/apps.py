from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailbox"
    verbose_name = _("کارپوشه")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the receivers)
