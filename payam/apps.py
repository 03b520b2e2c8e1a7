from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payam"
    verbose_name = _("هسته‌ی پیام")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
