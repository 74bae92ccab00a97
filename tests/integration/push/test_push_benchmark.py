"""The push benchmark at a tiny scale, so it cannot rot: every kind goes out once, with a lost answer,
and the figures it reports add up (``benchmarks/push.py``; the 1,000-each figures are in
docs/performance.md).  No timing is asserted: the stall is reported, not judged, here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
KINDS = ("note", "task", "call", "email", "meeting", "opportunity")


def test_push_benchmark_tiny_mix_pushes_every_kind_once_and_counts_calls_per_kind(tmp_path: Path) -> None:
    out = tmp_path / "push.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.push", "--notes", "3", "--tasks", "3", "--calls", "3", "--emails", "3",
         "--meetings", "3", "--opportunities", "3", "--latency-ms", "0", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0 and out.exists(), proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    push, baseline = result["push"], result["baseline"]

    assert (push["items"], push["duplicates"], push["missing"]) == (18, 0, 0), push
    assert push["dropped"] >= 1 and push["reconciled"] >= 1, push  # a lost answer was found, not re-sent
    assert set(push["by_kind"]) == set(KINDS), push["by_kind"]
    for kind, figures in push["by_kind"].items():
        assert figures["items"] == 3, kind
        assert figures["minimum"] == (2 if kind == "note" else 1), kind
        assert figures["api_calls"] >= figures["minimum"], (kind, figures)
    counted = sum(f["api_calls"] for f in push["by_kind"].values()) + push["run_calls"]
    assert counted + push["uncounted_calls"] == push["api_calls"], push
    assert push["collections_minimum"] == sum(f["minimum"] for f in push["by_kind"].values())
    assert isinstance(push["max_stall_ms"], float)
    # The naive client re-sends what lost its answer: the duplicates the engine's reconcile prevents.
    assert baseline["items"] == 18 and baseline["dropped"] >= 1 and baseline["duplicates"] >= 1, baseline
