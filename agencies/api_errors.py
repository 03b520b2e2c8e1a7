"""The agencies' API's one error shape: `{"error": {"code", "message_fa",
"message_en", "details"?}}`, a stable code for each refusal (MESSAGES) and the
schema the OpenAPI document gives every refusal (ERRORS)."""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from ninja import Schema

# --- the one error shape --------------------------------------------------------------------

# English for each code (locale/ holds the portal's translations; the API's own
# refusals carry both languages here so a program gets both at once).
MESSAGES: dict[str, tuple[str, str]] = {
    "unauthenticated": (
        "کلید API فرستاده نشده است؛ سرآیند Authorization: Bearer <کلید> را بفرستید.",
        "No API key: send the header Authorization: Bearer <key>.",
    ),
    "invalid_key": ("این کلید API شناخته نیست.", "This API key is not known."),
    "key_revoked": ("این کلید API باطل شده است.", "This API key has been revoked."),
    "key_expired": ("زمان این کلید API گذشته است.", "This API key has expired."),
    "scope_missing": (
        "این کلید دسترسی «%(scope)s» را ندارد.",
        "This key does not have the scope “%(scope)s”.",
    ),
    "creator_not_allowed": (
        "سازنده‌ی این کلید دیگر اجازه‌ی این کار را از سوی دستگاه ندارد؛ "
        "مدیر دستگاه کلید تازه‌ای بسازد.",
        "The key's creator may no longer do this for the agency; "
        "an agency admin should make a new key.",
    ),
    "not_found": ("یافت نشد.", "Not found."),
    "method_not_allowed": (
        "این نشانی روش %(method)s را نمی‌پذیرد؛ روش‌های پذیرفته در سرآیند Allow آمده‌اند.",
        "This path does not take %(method)s; the header Allow lists the methods it takes.",
    ),
    "validation_error": (
        "درخواست درست نیست؛ فیلدهای نام‌برده را درست کنید.",
        "The request is not valid; fix the fields listed.",
    ),
    "too_many_recipients": (
        "یک نامه حداکثر ۱۰۰٬۰۰۰ گیرنده دارد.",
        "A letter has at most 100,000 recipients.",
    ),
    "invalid_recipients": (
        "گیرندگان مشکل دارند و چیزی فرستاده نشد.",
        "Some recipients are not valid; nothing was sent.",
    ),
    "invalid_attachment": (
        "پیوست «%(name)s» در base64 درست نیست.",
        "The attachment “%(name)s” is not valid base64.",
    ),
    "attachment_refused": ("پیوست پذیرفته نشد.", "An attachment was refused."),
    "attachment_too_large": (
        "پیوست «%(name)s» از سقف اندازه‌ی پیوست بزرگ‌تر است.",
        "The attachment “%(name)s” is larger than the attachment limit.",
    ),
    "letter_refused": ("نامه پذیرفته نشد.", "The letter was refused."),
    "invalid_multipart": (
        "بخش payload در درخواست multipart/form-data نیست یا JSON درستی ندارد.",
        "The multipart/form-data request has no payload part, or it is not valid JSON.",
    ),
    "request_too_large": (
        "بخش payload بیش از ۲٫۵ مگابایت است؛ آن را به‌صورت پرونده (با filename) بفرستید.",
        "The payload part is larger than 2.5 MB; send it as a file part (with a filename).",
    ),
    "sms_refused": ("پیامک فرستاده نشد.", "The SMS was refused."),
    "no_sender": (
        "این دستگاه سرشماره‌ی فعالی زیر ۴۰۴۰ ندارد.",
        "This agency has no active sender number under 4040.",
    ),
    "idempotency_key_reused": (
        "این Idempotency-Key پیش‌تر با بدنه‌ی دیگری به کار رفته است.",
        "This Idempotency-Key was already used with a different body.",
    ),
    "rate_limited": (
        "درخواست‌های این کلید از سقف دقیقه گذشت؛ پس از Retry-After ثانیه دوباره بفرستید.",
        "Too many requests for this key; retry after Retry-After seconds.",
    ),
}


class ApiError(Exception):
    """A refusal: its HTTP status, stable code, and message in both languages."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        message_fa: str | None = None,
        message_en: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> None:
        fa, en = MESSAGES[code]
        self.status, self.code = status, code
        self.message_fa = message_fa or (fa % params if params else fa)
        self.message_en = message_en or (en % params if params else en)
        self.details = details
        self.headers = headers or {}
        if status == 401:
            self.headers.setdefault("WWW-Authenticate", 'Bearer realm="payam"')
        super().__init__(self.message_en)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
        }
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def english_of(message: str | Promise, fallback: str) -> str:
    """The English of a domain error's message when locale/ has it, else `fallback`."""
    if not isinstance(message, Promise):
        return fallback
    with translation.override("en"):
        english = str(message)
    with translation.override("fa"):
        persian = str(message)
    return english if english != persian else fallback


class ErrorDetail(Schema):
    code: str
    message_fa: str
    message_en: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS: dict[int, type[Schema]] = dict.fromkeys((401, 403, 404, 409, 413, 422, 429), ErrorOut)
