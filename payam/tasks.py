import logging

from celery import shared_task

from payam.audit import verify_chain

log = logging.getLogger("payam.audit")


@shared_task(name="payam.audit_verify")
def audit_verify() -> int:
    """Daily (beat): walk the audit chain; log every break as an error for monitoring."""
    problems = list(verify_chain())
    for problem in problems:
        log.error("audit chain broken at %s", problem, extra={"audit_seq": problem.seq})
    return len(problems)
