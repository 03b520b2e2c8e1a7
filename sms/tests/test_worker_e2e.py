"""Real Celery workers on Redis and PostgreSQL, a real HTTP gateway on localhost.

These prove the delivery guarantees: every message reaches the gateway exactly
once, even when a worker is killed with SIGKILL in the middle of a batch."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from payam.celery import app
from sms import services
from sms.models import OutboundSMS
from sms.testing.gateway_server import LocalGateway

from .factories import MaliatSenderFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _require_services():
    problems = []
    if connection.vendor != "postgresql":
        problems.append("DATABASE_URL must name PostgreSQL")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must be set")
    if problems:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


@pytest.fixture
def broker():
    """The test process publishes to Redis instead of running tasks eagerly."""
    _require_services()
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield client
    app.conf.task_always_eager = eager
    client.flushdb()


class Worker:
    def __init__(self, name: str, gateway_url: str, log_dir: Path, *, beat: bool = False):
        db = settings.DATABASES["default"]
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "payam.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SMS_GATEWAY": "http",
            "SMS_HTTP_BASE_URL": gateway_url,
            "SMS_HTTP_API_KEY": "test-key",
            "SMS_SENDING_TIMEOUT": "3",
            "SMS_HTTP_CONNECT_TIMEOUT": "0.5",
            "SMS_HTTP_READ_TIMEOUT": "1.5",
            "SMS_SWEEP_INTERVAL": "1",
            "REQUIRE_SERVICES": "0",
        }
        # Under pytest-xdist, REDIS_URL above is already this worker's own database.
        env.pop("PYTEST_XDIST_WORKER", None)
        queues = "sms_otp,sms,bulk,default"
        command = [sys.executable, "-m", "celery", "-A", "payam", "worker", "-Q", queues]
        command += ["-c", "2", "-n", f"{name}@%h", "--without-gossip", "--without-mingle"]
        command += ["-l", "WARNING"]
        if beat:
            command += ["-B", "-s", str(log_dir / f"beat-{name}")]
        self.log = log_dir / f"worker-{name}.log"
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no chance to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(predicate, *, timeout: float, what: str, workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    logs = "\n".join(w.log.read_text()[-3000:] for w in workers)
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def sent_count() -> int:
    return OutboundSMS.objects.filter(status="sent").count()


def test_a_thousand_messages_each_sent_exactly_once(broker, tmp_path):
    MaliatSenderFactory()
    with LocalGateway() as gateway:
        worker = Worker("e2e-all", gateway.url, tmp_path)
        try:
            numbers = [f"0912{i:07d}" for i in range(1000)]
            services.sms_queue_bulk(sender="4040123", recipients=numbers, body="اطلاعیه‌ی آزمایشی")
            wait_until(
                lambda: sent_count() == 1000, timeout=120, what="1000 sent", workers=[worker]
            )
        finally:
            worker.stop()
        counts = gateway.count_by_localid()
        ids = {str(pk) for pk in OutboundSMS.objects.values_list("pk", flat=True)}
        assert set(counts) == ids and set(counts.values()) == {1}
        assert gateway.duplicates() == [] and gateway.resend_attempts == 0


def test_killed_worker_loses_and_duplicates_nothing(broker, tmp_path):
    MaliatSenderFactory()
    total = 600
    # Each send takes 10 ms at the gateway, so the first worker is mid-batch when killed.
    with LocalGateway(latency=0.01) as gateway:
        first = Worker("e2e-doomed", gateway.url, tmp_path)
        second = None
        try:
            numbers = [f"0935{i:07d}" for i in range(total)]
            services.sms_queue_bulk(sender="4040123", recipients=numbers, body="پیام آزمایشی")
            wait_until(
                lambda: len(gateway.received) >= 100,
                timeout=60,
                what="the first worker to start sending",
                workers=[first],
            )
            first.kill()
            stranded = OutboundSMS.objects.filter(status="sending").count()
            received_at_kill = len(gateway.received)
            assert received_at_kill < total
            second = Worker("e2e-rescuer", gateway.url, tmp_path, beat=True)
            wait_until(
                lambda: sent_count() == total,
                timeout=120,
                what="every message sent after the kill",
                workers=[first, second],
            )
        finally:
            first.stop()
            if second is not None:
                second.stop()
        counts = gateway.count_by_localid()
        assert len(counts) == total and set(counts.values()) == {1}
        assert gateway.resend_attempts == 0, "a message the gateway already had was sent again"
        assert stranded > 0, "the kill did not catch a batch in flight; the test proved nothing"
