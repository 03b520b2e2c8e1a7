"""Every write of the service desk, re-exported from its use-case modules."""

from .requests import (
    SINGLE_SLOTS,
    clean_deficiencies,
    deficiency_mark_fixed,
    request_assign,
    request_attach,
    request_create,
    request_detach,
    request_message_post,
    request_submit,
    request_transition,
    request_update_data,
    request_withdraw,
)
from .tickets import ticket_close, ticket_open, ticket_reply

__all__ = [
    "SINGLE_SLOTS",
    "clean_deficiencies",
    "deficiency_mark_fixed",
    "request_assign",
    "request_attach",
    "request_create",
    "request_detach",
    "request_message_post",
    "request_submit",
    "request_transition",
    "request_update_data",
    "request_withdraw",
    "ticket_close",
    "ticket_open",
    "ticket_reply",
]
