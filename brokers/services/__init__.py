"""Every write of the brokers app, one module per use case.

staff        the manager adds and revokes clerks
activation   in-person activation of an inbox (and walk-in registration)
delegations  تفویض دسترسی: recorded at the counter, confirmed by the person's code,
             revoked by the person
counter      view, print and hand over a letter under a live delegation
"""

from .activation import (
    PendingActivation,
    activation_complete,
    activation_lookup,
    activation_send_code,
)
from .common import acting_office, count_lookup, ensure_clerk_of
from .counter import counter_hand_over, counter_print, counter_view, print_footer
from .delegations import (
    LetterChoice,
    delegation_abandon,
    delegation_confirm,
    delegation_resend_code,
    delegation_revoke,
    delegation_start,
)
from .staff import office_clerk_add, office_clerk_revoke

__all__ = [
    "LetterChoice",
    "PendingActivation",
    "acting_office",
    "activation_complete",
    "activation_lookup",
    "activation_send_code",
    "count_lookup",
    "counter_hand_over",
    "counter_print",
    "counter_view",
    "delegation_abandon",
    "delegation_confirm",
    "delegation_resend_code",
    "delegation_revoke",
    "delegation_start",
    "ensure_clerk_of",
    "office_clerk_add",
    "office_clerk_revoke",
    "print_footer",
]
