"""Events of the mailbox app that apps above it react to, so that the mailbox
never imports them (the agencies app writes its webhooks' outbox rows).

Each is sent synchronously inside the transaction of the service that caused
it, so a receiver's rows commit or roll back with it; a receiver that raises
undoes the change. Receivers must be cheap: they run on every first read."""

from django.dispatch import Signal

# `delivery_mark_read`, on a delivery's FIRST read only: `delivery` (Delivery,
# first_read_at set).
letter_read = Signal()

# `letter_send`, when the letter answers another (`in_reply_to`): `letter` (the
# reply, its deliveries written) and `original` (the letter it answers).
letter_replied = Signal()

# `letter_send`, when the letter was delivered to agency mailboxes (a person
# writing to an agency, a reply to an agency's letter, an agency's answer to
# another agency): `letter` and `mailboxes` (the agency mailboxes it reached).
letter_written = Signal()

# When every delivery of a letter exists: at once in `letter_send` for a letter
# delivered in the sender's transaction, else when `letter_fanout` finishes.
# `letter` (Letter; `fanout_done` is how many deliveries it made).
fanout_finished = Signal()
