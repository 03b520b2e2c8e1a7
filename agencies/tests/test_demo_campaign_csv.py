"""The demo's campaign CSV reads back clean, in both encodings, with the demo
citizens on it and more rows than one member may send alone."""

import pytest
from django.core.management import call_command

from agencies.campaign_csv import read_recipients_csv


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1256"])
def test_the_demo_csv_reads_back_without_a_problem(tmp_path, settings, encoding):
    out = tmp_path / "campaign.csv"
    call_command("demo_campaign_csv", "--encoding", encoding, "-o", str(out))
    report = read_recipients_csv(out.read_bytes(), fields=["name", "amount"])
    assert report.problems == []
    assert len(report.rows) == settings.CAMPAIGN_APPROVAL_THRESHOLD + 1
    assert [row.recipient for row in report.rows[:2]] == ["0012345679", "0023456787"]
    assert report.rows[0].values["name"] == "علی رضایی"
