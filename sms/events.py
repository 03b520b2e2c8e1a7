"""Events of the sms app that apps above it react to, so that sms never imports
them (the agencies app writes its webhooks' outbox rows).

Sent synchronously inside the service's transaction: a receiver's rows commit
or roll back with it."""

from django.dispatch import Signal

# `delivery_report_apply`, when a report moves a message to DELIVERED: `sms`
# (OutboundSMS, status delivered, `done_at` set).
sms_delivered = Signal()
