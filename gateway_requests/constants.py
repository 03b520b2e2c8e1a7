"""Choices and limits of the gateway requests: the two routes to the national
information exchange centre, where a system runs, and the operators."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    """A service's route: GSB on the government network, PGSB on the internet."""

    GSB = "gsb", _("GSB (شبکه‌ی دولت)")
    PGSB = "pgsb", _("PGSB (اینترنت)")


class SystemPlatform(models.TextChoices):
    """Where one of the organization's systems runs."""

    INTERNET = "internet", _("اینترنت")
    ISOLATED = "isolated", _("شبکه‌ی داخلی جدا از اینترنت")
    GOVERNMENT = "government", _("شبکه‌ی دولت")


# A system on the internet goes through PGSB; one on an isolated internal or the
# government network through GSB.
ROUTE_OF_SYSTEM: dict[str, str] = {
    SystemPlatform.INTERNET: Platform.PGSB,
    SystemPlatform.ISOLATED: Platform.GSB,
    SystemPlatform.GOVERNMENT: Platform.GSB,
}


class Operator(models.TextChoices):
    """The operator an organization connects to the exchange centre through."""

    SITAAD = "sitaad", _("سیتاد")
    TOSAN = "tosan", _("توسن (برای استان‌ها)")


class PermitKind(models.TextChoices):
    """Step 1 of the service-access permit."""

    NEW = "new", _("دسترسی تازه به سرویس")
    EXTEND = "extend", _("تمدید یا گسترش دسترسی پیشین")


LOGO_MAX_BYTES = 1024 * 1024
SITAAD_ADVICE_LINE = "۴۲۸۶۱۴۲۸"
