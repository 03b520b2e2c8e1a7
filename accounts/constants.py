from django.db import models
from django.utils.translation import gettext_lazy as _


class OtpPurpose(models.TextChoices):
    REGISTRATION = "registration", _("ثبت‌نام")
    LOGIN = "login", _("ورود")
    PASSWORD_RESET = "password_reset", _("بازیابی گذرواژه")
    MOBILE_CHANGE = "mobile_change", _("تغییر شماره‌ی همراه")


OTP_LENGTH = 6
