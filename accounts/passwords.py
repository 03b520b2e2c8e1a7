"""The portal's password rules: Django's similarity, length, common-password and
numeric validators, saying what they refuse in the portal's formal Persian (Django's
own Persian catalogue mixes «رمز عبور» with «گذرواژه», Latin digits and missing
half-spaces); and its own rule, that a password must not contain the account's
national code / national ID or its mobile number, in Latin or Persian digits."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payam.phone import local_mobile
from payam.text import localized_digits, normalize_digits

from .models import User
from .selectors import profile_of


def personal_numbers(user: User) -> set[str]:
    """The numbers a password of this user may not contain."""
    numbers = {user.username} if user.username.isdigit() else set()
    mobiles = {user.pending_mobile}
    profile = profile_of(user)
    if profile is not None:
        mobiles.add(profile.mobile)
    for mobile in filter(None, mobiles):
        local = local_mobile(mobile)  # 09121234567
        numbers.update({local, local[1:]})
    return {number for number in numbers if len(number) >= 8}


class PersonalNumbersValidator:
    def validate(self, password: str, user: User | None = None) -> None:
        if user is None:
            return
        digits = normalize_digits(password)
        if any(number in digits for number in personal_numbers(user)):
            raise ValidationError(
                _("گذرواژه نباید کد ملی، شناسه‌ی ملی یا شماره‌ی همراه شما را داشته باشد."),
                code="password_has_personal_number",
            )

    def get_help_text(self) -> str:
        return _("گذرواژه نباید کد ملی، شناسه‌ی ملی یا شماره‌ی همراه شما را داشته باشد.")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("گذرواژه به %(verbose_name)s شما بسیار شبیه است.")

    def get_help_text(self) -> str:
        return _("گذرواژه نباید به نام کاربری یا دیگر اطلاعات شخصی شما شبیه باشد.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "گذرواژه کوتاه است؛ دست‌کم %(count)s نویسه بنویسید.",
            "گذرواژه کوتاه است؛ دست‌کم %(count)s نویسه بنویسید.",
            self.min_length,
        ) % {"count": localized_digits(self.min_length)}

    def get_help_text(self) -> str:
        return ngettext(
            "گذرواژه دست‌کم %(count)s نویسه باشد.",
            "گذرواژه دست‌کم %(count)s نویسه باشد.",
            self.min_length,
        ) % {"count": localized_digits(self.min_length)}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("این گذرواژه بسیار رایج است و به‌آسانی حدس زده می‌شود.")

    def get_help_text(self) -> str:
        return _("گذرواژه نباید از گذرواژه‌های رایج باشد.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("گذرواژه نباید فقط از رقم ساخته شده باشد.")

    def get_help_text(self) -> str:
        return _("گذرواژه نباید فقط از رقم ساخته شده باشد.")
