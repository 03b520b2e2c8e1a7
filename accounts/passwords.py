"""Password rule of the portal, next to Django's length, common-password and numeric
validators: a password must not contain the account's national code / national ID
or its mobile number, in Latin or Persian digits."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payam.phone import local_mobile
from payam.text import normalize_digits

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
