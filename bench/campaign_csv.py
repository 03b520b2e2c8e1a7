"""A campaign's CSV read and checked: 100,000 rows × 5 columns through
agencies.campaign_csv.read_recipients_csv, against the csv module alone reading
the same bytes (the floor: decoding and splitting, no checks).

    python bench/campaign_csv.py [--rows 100000]

Pure Python, no database. Prints rows per second and the ratio; writes
bench/results/campaign_csv.json.
"""

import argparse
import csv
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def _codes(n: int) -> list[str]:
    from payam.identifiers import national_code_check_digit

    codes: list[str] = []
    body = 1_000_000
    while len(codes) < n:
        body += 1
        first_nine = f"{body:09d}"
        check = national_code_check_digit(first_nine)
        if check < 10:
            codes.append(first_nine + str(check))
    return codes


def make_file(rows: int) -> bytes:
    """national_code, name, amount, due date, city: what a tax office sends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["کد ملی", "name", "amount", "due", "city"])
    for i, code in enumerate(_codes(rows)):
        # A tenth of the codes as Excel leaves them: without their leading zeros.
        shown = code.lstrip("0") if i % 10 == 0 else code
        writer.writerow([shown, f"مریم احمدی {i}", str(1_000 + i * 7), "1404/09/13", "تهران"])
    return out.getvalue().encode("utf-8-sig")


def seconds(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.test")
    import django

    django.setup()
    from agencies.campaign_csv import read_recipients_csv

    data = make_file(args.rows)
    report = read_recipients_csv(data, fields=["name", "amount"])
    assert report.ok and len(report.rows) == args.rows, report.problems[:3]  # noqa: S101

    def floor() -> None:
        text = data.decode("utf-8-sig")
        for _row in csv.reader(io.StringIO(text, newline="")):
            pass

    reader_s = seconds(lambda: read_recipients_csv(data, fields=["name", "amount"]), args.repeats)
    floor_s = seconds(floor, args.repeats)
    figures = {
        "rows": args.rows,
        "columns": 5,
        "bytes": len(data),
        "read_seconds": round(reader_s, 4),
        "rows_per_second": round(args.rows / reader_s),
        "csv_module_seconds": round(floor_s, 4),
        "ratio_to_csv_module": round(reader_s / floor_s, 2),
    }
    print(  # noqa: T201
        f"read_recipients_csv: {args.rows:,} rows × 5 columns ({len(data) / 1e6:.1f} MB) "
        f"in {reader_s:.3f} s = {args.rows / reader_s:,.0f} rows/s; "
        f"the csv module alone {floor_s:.3f} s (×{reader_s / floor_s:.1f})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "campaign_csv",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "figures": figures,
    }
    (RESULTS / "campaign_csv.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
