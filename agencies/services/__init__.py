"""Every write of the agencies app, one module per use case.

    applications  registration by the representative, fixes after a return, and
                  the one mover of an application's status (application_transition)
    review        what an ITO expert does: assign, approve, reject, send back
    members       an agency's members: add by national code, revoke
    incoming      the letters the agency received: open, assign, answer
    api_keys      the agency's API keys: make (shown once), revoke, find by the secret
    sms           the agency's SMS from its own sender: prepare (checked, shown), send
    broadcasts    crisis notices: the expert's permission, compose, the expert's
                  confirmation (four eyes) or rejection, the send (letter + urgent SMS)
    webhooks      the agency's webhook endpoints, the outbox its events write, the
                  signed POSTs with their retries, «ارسال دوباره» (docs/webhooks.md)

See docs/agencies.md."""

from .api_keys import IssuedKey, api_key_create, api_key_find, api_key_revoke, api_key_touch
from .applications import (
    EDITABLE_FIELDS,
    AgencyInfo,
    RepresentativeInfo,
    application_fix_start,
    application_fix_verify,
    application_resubmit,
    application_start,
    application_submit,
    application_transition,
    ensure_email_at_domain,
    ensure_national_id_free,
)
from .broadcasts import (
    agency_set_broadcast,
    broadcast_cancel,
    broadcast_confirm,
    broadcast_create,
    broadcast_recipient_count,
    broadcast_reject,
    broadcast_send,
)
from .incoming import (
    answer_subject,
    incoming_answer,
    incoming_assign,
    incoming_open,
    incoming_record_download,
)
from .members import member_add, member_revoke, member_username
from .review import (
    Approval,
    agency_set_api_limit,
    application_approve,
    application_assign,
    application_reject,
    application_return,
    clean_deficiencies,
)
from .sms import (
    AgencyHasNoSender,
    AgencySmsRefused,
    SmsDraft,
    SmsDraftExpired,
    SmsListProblems,
    SmsSent,
    agency_sms_prepare,
    agency_sms_send,
)
from .webhooks import (
    IssuedSecret,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_new_secret,
    webhook_endpoint_set_active,
    webhook_event_resend,
)

__all__ = [
    "IssuedSecret",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_new_secret",
    "webhook_endpoint_set_active",
    "webhook_event_resend",
    "EDITABLE_FIELDS",
    "AgencyHasNoSender",
    "AgencyInfo",
    "AgencySmsRefused",
    "Approval",
    "RepresentativeInfo",
    "IssuedKey",
    "agency_set_api_limit",
    "agency_set_broadcast",
    "broadcast_cancel",
    "broadcast_confirm",
    "broadcast_create",
    "broadcast_recipient_count",
    "broadcast_reject",
    "broadcast_send",
    "answer_subject",
    "api_key_create",
    "api_key_find",
    "api_key_revoke",
    "api_key_touch",
    "SmsDraft",
    "SmsDraftExpired",
    "SmsListProblems",
    "SmsSent",
    "agency_sms_prepare",
    "agency_sms_send",
    "application_approve",
    "application_assign",
    "application_fix_start",
    "application_fix_verify",
    "application_reject",
    "application_resubmit",
    "application_return",
    "application_start",
    "application_submit",
    "application_transition",
    "clean_deficiencies",
    "ensure_email_at_domain",
    "ensure_national_id_free",
    "incoming_answer",
    "incoming_assign",
    "incoming_open",
    "incoming_record_download",
    "member_add",
    "member_revoke",
    "member_username",
]
