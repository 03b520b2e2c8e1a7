import json
import logging

import pytest
from django.db import connection

from payam.audit import audit_record
from payam.celery import QUEUES, app
from payam.logging import JsonFormatter
from payam.models import AuditEvent
from payam.tasks import audit_verify


def test_queues_and_delivery_guarantees_are_configured():
    assert (
        {q.name for q in app.conf.task_queues}
        == set(QUEUES)
        == {"default", "sms", "sms_otp", "sms_urgent", "bulk"}
    )
    assert app.conf.task_default_queue == "default"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_explicit_names():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert "payam.audit_verify" in ours
    for name in ours:
        assert app.tasks[name].name == name and "." in name and not name.startswith("__main__")


@pytest.mark.django_db
def test_audit_verify_task_reports_a_broken_chain(caplog):
    audit_record(actor=None, action="a")
    audit_record(actor=None, action="b")
    assert audit_verify.delay().get() == 0
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET action = 'x' WHERE seq = 1")
    with caplog.at_level(logging.ERROR, logger="payam.audit"):
        assert audit_verify.delay().get() == 1
    assert "audit chain broken at #1" in caplog.text


def test_json_log_lines_carry_the_extra_fields():
    record = logging.LogRecord("payam.request", logging.INFO, __file__, 1, "GET %s", ("/",), None)
    record.status = 200
    record.path = "/inbox/"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /" and line["status"] == 200 and line["path"] == "/inbox/"
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_each_request_writes_one_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="payam.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    lines = [r for r in caplog.records if r.name == "payam.request"]
    assert len(lines) == 1
    assert (lines[0].status, lines[0].path, lines[0].request_id) == (200, "/healthz", "abc123")
    assert response["X-Request-ID"] == "abc123"


def test_each_queue_has_its_own_routing_key():
    # Queues sharing a routing key would each get a copy of every message.
    keys = [q.routing_key for q in app.conf.task_queues]
    assert sorted(keys) == sorted(QUEUES)
    assert {q.exchange.name for q in app.conf.task_queues} == {"payam"}
