"""`benchmarks/history.py` at a tiny scale, so it cannot rot: it runs end to end (demo org process,
sync, prefetch, opening clients, searches) and writes every figure.  No time is asserted — only that
the figures are there and the counts add up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("history_clients", "history_api_calls", "history_seconds", "open_client_ms_p95",
           "search_notes_p95_ms", "fuzzy_search_p95_ms", "max_stall_ms")


def test_history_benchmark_smoke_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "history.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTEBRIDGE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.history", "--contacts", "300", "--meeting-clients", "30",
         "--latency-ms", "0", "--opens", "5", "--searches", "30", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)  # a deadline, not a speed
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    for key in FIGURES:
        assert isinstance(figures[key], int | float), key
    assert set(figures["meets_targets"]) == {k for k in FIGURES if k != "history_clients"}
    assert figures["contacts"] == 300
    assert figures["history_clients"] == 30  # exactly the clients meeting in the next 14 days
    assert 1 <= figures["history_api_calls"] <= 6  # one batch: one query per object
    details = figures["details"]
    assert details["clients_with_history"] == 30 and details["opened_with_history"] == details["opens"] == 5
    assert details["searchable_rows"] > 30 * 5 and details["search_notes_queries"] == 30
    assert details["fuzzy_queries"] >= 50 and details["fuzzy_found_share"] > 0.5
    assert len(figures["load_average"]) == 3
