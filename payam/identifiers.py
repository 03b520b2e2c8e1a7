"""Iranian identity numbers: the 10-digit national code (کد ملی) of a natural
person and the 11-digit national ID (شناسه‌ی ملی) of a legal person."""

from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits

NATIONAL_CODE_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17)


def national_code_check_digit(first_nine: str) -> int:
    remainder = sum(map(mul, map(int, first_nine), NATIONAL_CODE_WEIGHTS)) % 11
    return remainder if remainder < 2 else 11 - remainder


def _national_code_check_digit_ascii(code: bytes) -> int:
    """national_code_check_digit of the first nine of ten ASCII digits, unrolled:
    a campaign checks a million codes in one request."""
    total = (
        10 * code[0] + 9 * code[1] + 8 * code[2] + 7 * code[3] + 6 * code[4]
        + 5 * code[5] + 4 * code[6] + 3 * code[7] + 2 * code[8]
        - 48 * 54  # ord("0") times the sum of the weights
    )  # fmt: skip
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def is_valid_national_code(value: str) -> bool:
    """Mod-11 check; codes of one repeated digit are refused although they pass it."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    if value == value[0] * 10:  # one repeated digit
        return False
    code = value.encode()
    return _national_code_check_digit_ascii(code) == code[9] - 48


def legal_id_check_digit(first_ten: str) -> int:
    offset = int(first_ten[9]) + 2
    total = sum((offset + int(d)) * LEGAL_ID_WEIGHTS[i % 5] for i, d in enumerate(first_ten))
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def is_valid_legal_id(value: str) -> bool:
    """Weighted check of a company's national ID; the registration serial
    (digits 4-9) is never all zeros."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    if int(value[3:9]) == 0:
        return False
    return legal_id_check_digit(value[:10]) == int(value[10])


def pad_national_code(digits: str) -> str:
    """A code of 8 or 9 ASCII digits is one a spreadsheet (or a person) stripped of
    its leading zeros: put them back, as the common Persian identity libraries do.
    Anything else comes back as given."""
    if 8 <= len(digits) <= 9 and digits.isascii() and digits.isdigit():
        return digits.zfill(10)
    return digits


def clean_national_code(value: str) -> str:
    """Normalize and validate; raise ValidationError with a message for the person.
    8 or 9 digits are padded to 10 with leading zeros before the check."""
    code = normalize_digits(value)
    if not code.isdigit():
        raise ValidationError(_("کد ملی فقط از رقم تشکیل می‌شود."), code="not_digits")
    code = pad_national_code(code)
    if len(code) != 10:
        raise ValidationError(_("کد ملی باید ۱۰ رقم باشد."), code="length")
    if not is_valid_national_code(code):
        raise ValidationError(
            _("کد ملی معتبر نیست؛ لطفاً رقم‌ها را دوباره بررسی کنید."), code="checksum"
        )
    return code


def clean_legal_id(value: str) -> str:
    legal_id = normalize_digits(value)
    if not legal_id.isdigit():
        raise ValidationError(_("شناسه‌ی ملی فقط از رقم تشکیل می‌شود."), code="not_digits")
    if len(legal_id) != 11:
        raise ValidationError(_("شناسه‌ی ملی شخص حقوقی باید ۱۱ رقم باشد."), code="length")
    if not is_valid_legal_id(legal_id):
        raise ValidationError(
            _("شناسه‌ی ملی معتبر نیست؛ لطفاً رقم‌ها را دوباره بررسی کنید."), code="checksum"
        )
    return legal_id


def validate_national_code(value: str) -> None:
    """Model-field validator: the stored value must already be normalized."""
    if not is_valid_national_code(value):
        raise ValidationError(_("کد ملی معتبر نیست."), code="invalid")


def validate_legal_id(value: str) -> None:
    if not is_valid_legal_id(value):
        raise ValidationError(_("شناسه‌ی ملی معتبر نیست."), code="invalid")
