from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("حساب‌های کاربری و اشخاص")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)

        name_sign_in_apps()


def name_sign_in_apps() -> None:
    """The sign-in apps this app configures (allauth, axes) name themselves in
    English or in allauth's informal Persian; the admin shows the portal's words.
    (Django's own admin phrases are corrected in locale/fa.)"""
    names = {
        "axes": _("قفل ورود"),
        "mfa": _("ورود دومرحله‌ای"),
        "usersessions": _("نشست‌های کاربران"),
        "socialaccount": _("ورود با درگاه ملی"),
    }
    for label, name in names.items():
        apps.get_app_config(label).verbose_name = name
    models = {
        ("mfa", "authenticator"): (_("عامل ورود دومرحله‌ای"), _("عامل‌های ورود دومرحله‌ای")),
        ("usersessions", "usersession"): (_("نشست"), _("نشست‌ها")),
        ("account", "emailaddress"): (_("نشانی رایانامه"), _("نشانی‌های رایانامه")),
    }
    for (label, model_name), (one, many) in models.items():
        meta = apps.get_model(label, model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = one, many
