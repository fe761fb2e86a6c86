"""What every benchmark shares: recording a figure with its same-run baseline, and load helpers."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

import msgspec

RESULTS_PATH = Path(os.environ.get("BENCH_RESULTS", ".bench/results.json"))


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    ratio: float


def record(name: str, value: float, unit: str, baseline: str, baseline_value: float) -> Figure:
    """Print a figure with its baseline and ratio, and add it to `.bench/results.json` (replacing by name)."""
    ratio = value / baseline_value if baseline_value else float("inf")
    figure = Figure(
        name=name,
        value=round(value, 3),
        unit=unit,
        baseline=baseline,
        baseline_value=round(baseline_value, 3),
        ratio=round(ratio, 4),
    )
    print(
        f"{name:32s} {figure.value:>12,.3f} {unit:8s} | baseline {baseline}: "
        f"{figure.baseline_value:,.3f} {unit} | ratio {figure.ratio:.3f}",
        flush=True,
    )
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    existing: list[dict[str, object]] = []
    if RESULTS_PATH.exists():
        try:
            existing = json.loads(RESULTS_PATH.read_text())
        except ValueError:
            existing = []
    existing = [row for row in existing if row.get("name") != name]
    existing.append(msgspec.to_builtins(figure))
    RESULTS_PATH.write_text(json.dumps(existing, indent=2) + "\n")
    return figure


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (0-100) of samples, by nearest rank."""
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
