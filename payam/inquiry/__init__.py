"""Inquiries to the government registries behind one interface.

    from payam.inquiry import get_backend, IdentityNotFound

    identity = get_backend().civil_identity(national_code=code, birth_date=born)

INQUIRY_BACKEND picks the backend: "fake" answers from a JSON fixture
(payam/inquiry/fake.py), "http" calls the inquiry gateway (payam/inquiry/http.py).
See docs/inquiry.md.
"""

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from payam.inquiry.base import InquiryBackend
from payam.inquiry.exceptions import (
    BirthDateMismatch,
    CompanyNotFound,
    IdentityNotFound,
    InquiryError,
    InquiryUnavailable,
)
from payam.inquiry.fake import FakeInquiryBackend, load_fixture
from payam.inquiry.http import HttpInquiryBackend
from payam.inquiry.types import CivilIdentity, CompanyRecord

__all__ = [
    "BirthDateMismatch",
    "CivilIdentity",
    "CompanyNotFound",
    "CompanyRecord",
    "IdentityNotFound",
    "InquiryBackend",
    "InquiryError",
    "InquiryUnavailable",
    "get_backend",
    "reset_backend",
]

_lock = threading.Lock()
_backend: InquiryBackend | None = None


def get_backend() -> InquiryBackend:
    """The configured backend, built on first use and then shared (the HTTP one
    keeps a connection pool). Raises ImproperlyConfigured for an unknown name."""
    global _backend
    backend = _backend
    if backend is None:
        with _lock:
            if _backend is None:
                _backend = _build_backend()
            backend = _backend
    return backend


def reset_backend() -> None:
    """Forget the built backend so the next get_backend() reads the settings again."""
    global _backend
    with _lock:
        old, _backend = _backend, None
        load_fixture.cache_clear()
    if isinstance(old, HttpInquiryBackend):
        old.close()


def _build_backend() -> InquiryBackend:
    name = settings.INQUIRY_BACKEND
    if name == "fake":
        return FakeInquiryBackend.from_settings()
    if name == "http":
        return HttpInquiryBackend.from_settings()
    raise ImproperlyConfigured(f"INQUIRY_BACKEND is {name!r}; expected 'fake' or 'http'.")


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """override_settings / the pytest `settings` fixture take effect at once."""
    if setting.startswith("INQUIRY_"):
        reset_backend()
