from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewayRequestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gateway_requests"
    verbose_name = _("درخواست‌های GSB/PGSB")

    def ready(self) -> None:
        from .request_types import register_types

        register_types()
