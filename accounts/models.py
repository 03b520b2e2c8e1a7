from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    NATURAL = "natural", _("شخص حقیقی")
    LEGAL = "legal", _("شخص حقوقی")
    STAFF = "staff", _("کارکنان")


class User(AbstractUser):
    """Everyone who signs in. A natural person's username is their 10-digit national
    code, a legal person's its 11-digit national ID; staff get a generated username."""

    username = models.CharField(
        _("نام کاربری"),
        max_length=32,
        unique=True,
        validators=[ASCIIUsernameValidator()],
        error_messages={"unique": _("این نام کاربری پیش‌تر ثبت شده است.")},
    )
    kind = models.CharField(
        _("نوع کاربر"), max_length=8, choices=UserKind.choices, default=UserKind.NATURAL
    )

    class Meta:
        verbose_name = _("کاربر")
        verbose_name_plural = _("کاربران")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        return full or self.username
