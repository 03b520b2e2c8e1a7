"""Test and benchmark helpers for the sms app.

`from sms.testing import LocalGateway` works, but the import is lazy so that
`python -m sms.testing.gateway_server` runs the module once, without Django.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .gateway_server import LocalGateway, Received, SentReport

__all__ = ["LocalGateway", "Received", "SentReport"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import gateway_server

        return getattr(gateway_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
