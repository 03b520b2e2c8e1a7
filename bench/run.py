"""Benchmarks: each prints its figures and a ratio against a baseline measured
in the same run, and writes bench/results/<name>.json.

    make bench                     # SQLite in a temporary file
    DATABASE_URL=postgres://… make bench   # the same against PostgreSQL
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def _setup_django() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.dev")
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return str(connection.vendor)


def rate(fn: Callable[[], object], n: int, repeats: int = 3) -> float:
    """Operations per second: the median of `repeats` runs of `n` calls."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append(n / (time.perf_counter() - started))
    return statistics.median(runs)


def bench_foundation(vendor: str) -> dict[str, object]:
    from django.db import transaction

    from payam import tracking
    from payam.audit import audit_record
    from payam.identifiers import is_valid_national_code
    from payam.models import TrackingCode

    figures: dict[str, float] = {}
    figures["uuid4_per_s"] = rate(lambda: uuid.uuid4().hex, 20000)
    figures["tracking_generate_per_s"] = rate(tracking.generate, 20000)
    figures["national_code_check_per_s"] = rate(lambda: is_valid_national_code("0076229645"), 50000)

    counter = iter(range(10**9))

    def plain_insert() -> None:
        with transaction.atomic():
            TrackingCode.objects.create(kind="bench-baseline", code=f"{next(counter):010d}")

    def issue() -> None:
        with transaction.atomic():
            tracking.issue(kind="bench")

    def audit() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="bench.event", data={"n": 1})

    figures["plain_insert_tx_per_s"] = rate(plain_insert, 300)
    figures["tracking_issue_tx_per_s"] = rate(issue, 300)
    figures["audit_record_tx_per_s"] = rate(audit, 300)
    ratios = {
        "tracking_generate_vs_uuid4": figures["tracking_generate_per_s"] / figures["uuid4_per_s"],
        "tracking_issue_vs_plain_insert": (
            figures["tracking_issue_tx_per_s"] / figures["plain_insert_tx_per_s"]
        ),
        "audit_record_vs_plain_insert": (
            figures["audit_record_tx_per_s"] / figures["plain_insert_tx_per_s"]
        ),
    }
    return {"database": vendor, "figures": figures, "ratios": ratios}


def main() -> None:
    vendor = _setup_django()
    result = {
        "name": "foundation",
        "when": datetime.now(tz=UTC).isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        **bench_foundation(vendor),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"foundation-{vendor}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"foundation benchmark on {vendor} ({result['machine']})")
    for key, value in result["figures"].items():  # type: ignore[attr-defined]
        print(f"  {key:32s} {value:12,.0f}")
    for key, value in result["ratios"].items():  # type: ignore[attr-defined]
        print(f"  {key:32s} {value:12.2f}x")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
