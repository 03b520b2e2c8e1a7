"""Choices and limits of the brokers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeKind(models.TextChoices):
    """The three kinds of broker of seed 003 (art. 7-b)."""

    GOVERNMENT_COUNTER = "counter", _("دفتر پیشخوان خدمات دولت")
    JUDICIARY = "judiciary", _("دفتر خدمات الکترونیک قضایی")
    SMART_GOVERNMENT = "smart_gov", _("ارائه‌دهنده‌ی یکپارچه‌ی خدمات دولت هوشمند")


class DelegationScope(models.TextChoices):
    VIEW = "view", _("دیدن نامه‌ها")
    VIEW_PRINT = "view_print", _("دیدن و چاپ نامه‌ها")


class DelegationLetters(models.TextChoices):
    ALL = "all", _("همه‌ی نامه‌ها")
    AGENCIES = "agencies", _("نامه‌های دستگاه‌های نام‌برده")
    CODES = "codes", _("نامه‌های با کدهای رهگیری نام‌برده")


class DelegationStatus(models.TextChoices):
    """A delegation (تفویض دسترسی) to an office: recorded by a clerk, waiting for
    the person's code; confirmed by it; revoked by the person (or abandoned before
    it was confirmed). Expiry is not a status: past `expires_at` it is not live."""

    PENDING = "pending", _("در انتظار تأیید شخص")
    ACTIVE = "active", _("برقرار")
    REVOKED = "revoked", _("لغوشده")
    ABANDONED = "abandoned", _("تأییدنشده")


# The one table of allowed moves of a delegation (brokers.services.delegation_move).
DELEGATION_TRANSITIONS: dict[str, frozenset[str]] = {
    DelegationStatus.PENDING: frozenset({DelegationStatus.ACTIVE, DelegationStatus.ABANDONED}),
    DelegationStatus.ACTIVE: frozenset({DelegationStatus.REVOKED}),
    DelegationStatus.REVOKED: frozenset(),
    DelegationStatus.ABANDONED: frozenset(),
}


class OfficeEventKind(models.TextChoices):
    """What the office reports count, one row each."""

    ACTIVATION = "activation", _("فعال‌سازی کارپوشه")
    DELEGATION = "delegation", _("ثبت تفویض دسترسی")
    VIEW = "view", _("نمایش نامه")
    PRINT = "print", _("چاپ نامه")
    HANDOVER = "handover", _("تحویل نامه")


DELEGATION_DEFAULT_DAYS = 30
DELEGATION_MAX_DAYS = 365
DELEGATION_MAX_CODES = 50

# Looking a person up by national code at the counter is an oracle: every try
# (activation, delegation, the workspace's search) is counted per clerk and per
# national code before any answer, and audited.
LOOKUPS_PER_CLERK_PER_HOUR = 30
LOOKUPS_PER_TARGET_PER_DAY = 10
