"""Every write of the accounts app, one module per use case.

Modules, re-exported here so `accounts.services.otp_send` keeps working:

    otp           one-time codes: made and checked here, sent through sms
    registration  natural and legal persons: identity, Shahkar, OTP, password
    recovery      passwords and their recovery by SMS
    profile       e-mail, mobile, notification preferences
    inbox         a person's inbox status
    roles         granting and revoking roles
    staff         staff accounts made by an administrator
"""

from .inbox import inbox_status_change
from .otp import OtpChallenge, otp_send, otp_verify
from .profile import (
    email_change_request,
    email_confirm,
    mobile_change_start,
    mobile_change_verify,
    notification_preferences_update,
    province_set,
)
from .recovery import (
    PendingRecovery,
    password_changed_by_owner,
    recovery_code_send,
    recovery_complete,
    recovery_mobile,
    recovery_resend,
    recovery_start,
    recovery_verify,
)
from .registration import (
    PendingRegistration,
    legal_registration_start,
    natural_registration_start,
    registration_complete,
    registration_verify,
)
from .roles import role_grant, role_revoke
from .staff import staff_account_create

__all__ = [
    "OtpChallenge",
    "PendingRecovery",
    "PendingRegistration",
    "email_change_request",
    "email_confirm",
    "inbox_status_change",
    "legal_registration_start",
    "mobile_change_start",
    "mobile_change_verify",
    "natural_registration_start",
    "notification_preferences_update",
    "province_set",
    "otp_send",
    "otp_verify",
    "password_changed_by_owner",
    "recovery_code_send",
    "recovery_complete",
    "recovery_mobile",
    "recovery_resend",
    "recovery_start",
    "recovery_verify",
    "registration_complete",
    "registration_verify",
    "role_grant",
    "role_revoke",
    "staff_account_create",
]
