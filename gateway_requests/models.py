"""The service catalog (kept by an administrator) and what an applicant
organization keeps outside any request: its systems, its technical persons and,
for a company, the e-mail domain its technical persons' addresses must be at.

The applicant organization is a `mailbox.Mailbox` (a company's or an agency's),
the same notion the service desk uses."""

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import email_domain_validator
from payam.phone import local_mobile

from .constants import Platform, SystemPlatform


class ServiceGroup(models.Model):
    name = models.CharField(_("نام گروه"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("ترتیب"), default=0)

    class Meta:
        verbose_name = _("گروه سرویس")
        verbose_name_plural = _("گروه‌های سرویس")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """One service offered on GSB or PGSB by a providing organization."""

    group = models.ForeignKey(
        ServiceGroup, verbose_name=_("گروه"), on_delete=models.PROTECT, related_name="services"
    )
    provider = models.CharField(_("سازمان ارائه‌دهنده"), max_length=200)
    name_fa = models.CharField(_("نام سرویس"), max_length=200)
    name_en = models.CharField(_("نام انگلیسی"), max_length=200)
    platform = models.CharField(_("بستر"), max_length=4, choices=Platform.choices)
    is_free = models.BooleanField(_("رایگان"), default=True)
    cost = models.CharField(
        _("هزینه"),
        max_length=200,
        blank=True,
        help_text=_("برای سرویس غیررایگان: هزینه چنان‌که ارائه‌دهنده اعلام کرده است."),
    )
    added_on = models.DateField(_("تاریخ افزودن"), default=timezone.localdate)
    active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("سرویس")
        verbose_name_plural = _("سرویس‌ها")
        ordering = ["group__position", "group__name", "name_fa", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name_en", "platform"], name="service_unique_per_platform"
            ),
            models.CheckConstraint(
                condition=models.Q(is_free=True) | ~models.Q(cost=""),
                name="service_cost_when_not_free",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_fa} ({self.get_platform_display()})"

    @property
    def cost_label(self) -> str:
        return str(_("رایگان")) if self.is_free else self.cost


def logo_path(instance: "OrgSystem", filename: str) -> str:
    return str(PurePosixPath("gateway", "logos", f"{uuid.uuid4().hex}.png"))


class OrgSystem(models.Model):
    """A system of the applicant organization that consumes services."""

    applicant = models.ForeignKey(
        "mailbox.Mailbox",
        verbose_name=_("سازمان متقاضی"),
        on_delete=models.PROTECT,
        related_name="gateway_systems",
    )
    title = models.CharField(_("عنوان سامانه"), max_length=200)
    url = models.URLField(_("نشانی (لینک) سامانه"), max_length=300)
    ip_address = models.GenericIPAddressField(_("نشانی IP"))
    platform = models.CharField(_("بستر سامانه"), max_length=10, choices=SystemPlatform.choices)
    logo = models.FileField(_("نشان (لوگو)"), upload_to=logo_path, max_length=200, blank=True)
    description = models.TextField(_("توضیحات"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    updated_at = models.DateTimeField(_("زمان ویرایش"), auto_now=True)

    class Meta:
        verbose_name = _("سامانه‌ی سازمان")
        verbose_name_plural = _("سامانه‌های سازمان‌ها")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["applicant", "title"], name="gw_system_applicant_idx")]

    def __str__(self) -> str:
        return self.title


class TechnicalPerson(models.Model):
    """A technical contact of the applicant organization."""

    applicant = models.ForeignKey(
        "mailbox.Mailbox",
        verbose_name=_("سازمان متقاضی"),
        on_delete=models.PROTECT,
        related_name="gateway_people",
    )
    first_name = models.CharField(_("نام"), max_length=100)
    last_name = models.CharField(_("نام خانوادگی"), max_length=100)
    mobile = models.CharField(_("شماره‌ی همراه"), max_length=13)
    email = models.EmailField(_("رایانامه"), max_length=200)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)

    class Meta:
        verbose_name = _("کارشناس فنی")
        verbose_name_plural = _("کارشناسان فنی")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["applicant", "last_name"], name="gw_person_applicant_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def mobile_local(self) -> str:
        return local_mobile(self.mobile)


class ApplicantDomain(models.Model):
    """The e-mail domain a company states once (a company's record has no domain
    or website); an agency's is `Agency.email_domain` and needs no row here."""

    applicant = models.OneToOneField(
        "mailbox.Mailbox",
        verbose_name=_("سازمان متقاضی"),
        on_delete=models.PROTECT,
        related_name="gateway_domain",
    )
    email_domain = models.CharField(
        _("دامنه‌ی رایانامه‌ی سازمان"), max_length=100, validators=[email_domain_validator]
    )
    set_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)

    class Meta:
        verbose_name = _("دامنه‌ی رایانامه‌ی متقاضی")
        verbose_name_plural = _("دامنه‌های رایانامه‌ی متقاضیان")

    def __str__(self) -> str:
        return self.email_domain
