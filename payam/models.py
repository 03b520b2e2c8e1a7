from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackingCode(models.Model):
    """Every tracking code ever issued, so a code is never reused within a kind."""

    kind = models.CharField(_("نوع"), max_length=32)
    code = models.CharField(_("کد رهگیری"), max_length=10)
    created_at = models.DateTimeField(_("زمان صدور"), default=timezone.now)

    class Meta:
        verbose_name = _("کد رهگیری")
        verbose_name_plural = _("کدهای رهگیری")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="tracking_code_unique_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One change made in the portal: who did it, for whom, to what, from where.

    Rows form a hash chain: each carries the SHA-256 of the previous row
    (`prev_hash`) and of its own content (`hash`); `manage.py audit_verify`
    walks the chain and reports any row edited, removed or added out of band.
    Written only by `payam.audit.audit_record`."""

    seq = models.PositiveBigIntegerField(_("شماره"), unique=True)
    created_at = models.DateTimeField(_("زمان"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("به نیابت از"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("کنش"), max_length=64, db_index=True)
    target_type = models.CharField(_("نوع هدف"), max_length=64, blank=True)
    target_id = models.CharField(_("شناسه‌ی هدف"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("نشانی IP"), null=True, blank=True)
    data = models.JSONField(_("جزئیات"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(_("چکیده‌ی رویداد پیشین"), max_length=64)
    hash = models.CharField(_("چکیده"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("رویداد ممیزی")
        verbose_name_plural = _("رویدادهای ممیزی")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The single row that holds the end of the chain. Locking it serializes
    writers, so two transactions never link to the same previous row, and it
    lets `audit_verify` notice the removal of the newest rows."""

    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("سر زنجیره‌ی ممیزی")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
