"""The anti-gaming detector as pure functions: which thresholds make sense, and why a share's clicks look
gamed (few visitors making most clicks, bursts no human makes). No I/O here."""

from __future__ import annotations

from collections import Counter

from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.incentives.anti_gaming.schemas import AntiGaming, ClickSample


def anti_gaming_problems(thresholds: AntiGaming) -> list[str]:
    """What makes a set of thresholds flag every share (or none) whatever its clicks."""
    problems = []
    if thresholds.few_visitors >= thresholds.min_clicks:
        problems.append(
            "`few_visitors` must be below `min_clicks` (else every share with enough clicks is flagged)"
        )
    return problems


def gaming_signals(samples: list[ClickSample], thresholds: AntiGaming) -> tuple[list[str], dict[str, float]]:
    """Why a share's clicks look gamed (empty when they do not), with the figures behind it."""
    total = len(samples)
    stats: dict[str, float] = {"clicks": float(total)}
    if not thresholds.enabled or total < thresholds.min_clicks:
        return [], stats
    reasons: list[str] = []
    by_visitor = Counter(s.visitor for s in samples)
    top = sum(count for _, count in by_visitor.most_common(thresholds.few_visitors))
    stats["visitors"] = float(len(by_visitor))
    stats["top_visitors_share"] = round(top / total, 4)
    if top / total >= thresholds.few_visitors_share:
        reasons.append("few_visitors")
    times = sorted(s.at.timestamp() for s in samples)
    densest = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] > thresholds.burst_window_seconds:
            start += 1
        densest = max(densest, end - start + 1)
    stats["densest_window_clicks"] = float(densest)
    if densest >= thresholds.burst_clicks:
        reasons.append("burst")
    return reasons, stats


FLAG_REASONS: dict[str, LazyText] = {
    "few_visitors": lazy_gettext("Most clicks come from very few visitors"),
    "burst": lazy_gettext("Bursts of clicks no human makes"),
}
