"""SMS dispatch benchmark: throughput under a gateway rate limit, and OTP latency
behind a 100,000-message campaign. Real Celery workers, Redis, PostgreSQL and a
local HTTP gateway (sms.testing.gateway_server) on this machine.

    python bench/sms_dispatch.py [--rate 200] [--seconds 60] [--campaign 100000]

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; defaults: the local ones,
database `payam_bench`, Redis db 13). Prints figures and ratios, writes
bench/results/sms_dispatch.json.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/payam_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


class Workers:
    """Celery worker processes, each `-c 1`, on the given queues."""

    def __init__(self, gateway_url: str, rate: float, queue_sets: list[str]) -> None:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "payam.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SMS_GATEWAY": "http",
            "SMS_HTTP_BASE_URL": gateway_url,
            "SMS_HTTP_API_KEY": "test-key",
            "SMS_RATE_LIMIT_PER_SECOND": str(rate),
            "REQUIRE_SERVICES": "0",
        }
        self.processes = []
        for i, queues in enumerate(queue_sets):
            command = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "payam",
                "worker",
                "-Q",
                queues,
                "-c",
                "1",
                "-n",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ]
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _reset_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sms_smsstatuschange, sms_deliveryreport, sms_outboundsms"
            " RESTART IDENTITY CASCADE"
        )


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def throughput(rate: float, seconds: int) -> dict[str, float]:
    from sms import services
    from sms.models import OutboundSMS
    from sms.testing.gateway_server import LocalGateway

    _reset_tables()
    total = int(rate * (seconds + 15))
    numbers = [f"0912{i:07d}" for i in range(total)]
    with LocalGateway(rate_per_second=rate) as gateway:
        services.sms_queue_bulk(sender="4040123", recipients=numbers, body="پیام آزمایشی کارایی")
        workers = Workers(gateway.url, rate, ["bulk", "bulk"])
        try:
            if not _wait(lambda: len(gateway.received) > 0, 60):
                raise SystemExit("no message reached the gateway in 60 s")
            window_start = gateway.received[0].at + 5  # skip warm-up
            time.sleep(max(0.0, window_start + seconds - time.monotonic()))
            in_window = sum(
                1 for r in gateway.received if window_start <= r.at < window_start + seconds
            )
            drained = _wait(lambda: OutboundSMS.objects.filter(status="sent").count() == total, 120)
        finally:
            workers.stop()
        counts = gateway.count_by_localid()
        sent = OutboundSMS.objects.filter(status="sent").count()
        return {
            "gateway_rate_limit": rate,
            "window_seconds": seconds,
            "sustained_per_s": in_window / seconds,
            "ratio_of_limit": in_window / seconds / rate,
            "messages": total,
            "all_sent": float(drained),
            "lost": total - len(counts),
            "duplicated": sum(1 for c in counts.values() if c > 1) + gateway.resend_attempts,
            "rows_not_sent": total - sent,
            "gateway_429": gateway.rejected_429,
        }


def _otp_latencies(gateway, count: int, spacing: float) -> list[float]:
    from django.db import transaction

    from sms import services

    started: dict[str, float] = {}
    for i in range(count):
        t = time.monotonic()
        with transaction.atomic():
            sms = services.sms_queue(
                sender="4040", to=f"0901{i:07d}", body=f"کد ورود: {100000 + i}", kind="otp"
            )
        started[str(sms.pk)] = t
        time.sleep(spacing)
    _wait(lambda: all(ref in gateway.count_by_localid() for ref in started), 30)
    arrived = {r.localid: r.at for r in gateway.received if r.localid in started}
    missing = len(started) - len(arrived)
    if missing:
        raise SystemExit(f"{missing} OTPs never reached the gateway")
    return [arrived[ref] - t for ref, t in started.items()]


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_s": statistics.median(ordered),
        "p95_s": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "max_s": ordered[-1],
        "count": len(ordered),
    }


def otp_latency(rate: float, campaign: int, otps: int) -> dict[str, object]:
    from sms import services
    from sms.models import OutboundSMS
    from sms.testing.gateway_server import LocalGateway

    _reset_tables()
    with LocalGateway(rate_per_second=rate) as gateway:
        # The production topology: campaigns on one worker, OTPs and notices on another.
        workers = Workers(gateway.url, rate, ["bulk,default", "sms_otp,sms_urgent,sms"])
        try:
            time.sleep(3)
            idle = _otp_latencies(gateway, otps, 0.2)
            started = time.monotonic()
            services.sms_queue_bulk(
                sender="4040123",
                recipients=(f"0935{i:07d}" for i in range(campaign)),
                body="اطلاعیه‌ی همگانی آزمایشی",
            )
            queue_seconds = time.monotonic() - started
            _wait(lambda: len(gateway.received) > otps + 200, 60)
            busy = _otp_latencies(gateway, otps, 0.2)
            still_queued = OutboundSMS.objects.filter(kind="bulk", status="queued").count()
        finally:
            workers.stop()
    idle_summary, busy_summary = _summary(idle), _summary(busy)
    return {
        "campaign": campaign,
        "campaign_queue_seconds": queue_seconds,
        "campaign_queue_rows_per_s": campaign / queue_seconds,
        "campaign_still_queued_when_measured": still_queued,
        "otp_idle": idle_summary,
        "otp_behind_campaign": busy_summary,
        "p95_ratio_busy_vs_idle": busy_summary["p95_s"] / max(idle_summary["p95_s"], 1e-6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--campaign", type=int, default=100_000)
    parser.add_argument("--otps", type=int, default=40)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    os.environ["DJANGO_SETTINGS_MODULE"] = "payam.settings.test"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["REQUIRE_SERVICES"] = "0"
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from sms.constants import SenderKind
    from sms.models import SenderNumber

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    call_command("migrate", verbosity=0, interactive=False)
    SenderNumber.objects.get_or_create(
        number="4040", defaults={"owner_label": "پیام ایران", "kind": SenderKind.SYSTEM}
    )
    SenderNumber.objects.get_or_create(number="4040123", defaults={"owner_label": "bench agency"})

    result: dict[str, Any] = {
        "name": "sms_dispatch",
        "when": datetime.now(tz=UTC).isoformat(),
        "machine": f"{os.cpu_count()} cores",
        "throughput": throughput(args.rate, args.seconds),
        "otp_latency": otp_latency(args.rate, args.campaign, args.otps),
    }
    out = ROOT / "bench" / "results" / "sms_dispatch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    t, o = result["throughput"], result["otp_latency"]
    print(f"SMS dispatch benchmark ({result['machine']}, PostgreSQL + Redis, 2 workers)")
    print(f"  gateway limit R                {t['gateway_rate_limit']:10.0f} msg/s")
    print(
        f"  sustained over {t['window_seconds']} s           {t['sustained_per_s']:10.1f} msg/s"
        f"  = {t['ratio_of_limit']:.1%} of R"
    )
    print(
        f"  lost / duplicated              {t['lost']:>6} / {t['duplicated']}"
        f"   (429s from gateway: {t['gateway_429']})"
    )
    print(
        f"  campaign queued                {o['campaign']:10,d} rows"
        f" in {o['campaign_queue_seconds']:.1f} s ({o['campaign_queue_rows_per_s']:,.0f} rows/s)"
    )
    print(f"  OTP p95 idle                   {o['otp_idle']['p95_s'] * 1000:10.0f} ms")
    print(
        f"  OTP p95 behind the campaign    {o['otp_behind_campaign']['p95_s'] * 1000:10.0f} ms"
        f"  ({o['p95_ratio_busy_vs_idle']:.2f}x idle;"
        f" max {o['otp_behind_campaign']['max_s'] * 1000:.0f} ms)"
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
