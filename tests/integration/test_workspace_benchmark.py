"""The workspace benchmark (``benchmarks/workspace.py``), tiny: it runs end to end, and with
``--extra-fields 10`` the pull asks for, stores and searches the extra fields at the same API call count.
No timing is asserted (the full-scale figures are in docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_field_mapping_workspace_benchmark_smoke_with_extra_fields(tmp_path: Path) -> None:
    out = tmp_path / "workspace.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.workspace", "--contacts", "2500", "--latency-ms", "0", "--rounds", "1",
         "--searches", "50", "--extra-fields", "10", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["contacts"] == 2500
    assert result["extra_fields"][:3] == ["AUM__c", "Next_Review__c", "Risk_Profile__c"]
    assert len(result["extra_fields"]) == 10
    assert result["contacts_with_extra_values"] == 2500  # every contact came with its extra fields …
    assert result["extra_search_found_share"] == 1.0  # … and search finds them by their values
    details = result["details"]
    assert details["sync_outcome"] == "ok" and details["incremental_outcome"] == "ok"
    # The extra fields cost no call: as many pages as the baseline's query of the same fields (2 of 2,000).
    assert result["api_calls"] == details["rounds"][0]["baseline_api_calls"] == 2
    assert result["incremental_api_calls"] <= 2
    longest = result["longest_query"]
    assert longest["uri_bytes"] <= longest["uri_limit"] and longest["soql_chars"] <= longest["soql_limit"]
    assert result["meets_targets"]["query_length"]
    assert "extra-field search" in proc.stdout and "longest query URI bytes" in proc.stdout
