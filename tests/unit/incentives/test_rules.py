"""Pure rules: diminishing factors, caps, period keys, the anti-gaming detector, challenge winners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from advocacy.incentives.anti_gaming.detector import gaming_signals
from advocacy.incentives.anti_gaming.schemas import AntiGaming, ClickSample
from advocacy.incentives.boards.scores import period_keys
from advocacy.incentives.challenges.service import winners
from advocacy.incentives.rules.policy import DEFAULT_RULES, capped, reason_text, share_factor

T0 = datetime(2026, 11, 18, 9, tzinfo=UTC)


def test_the_default_rules_reward_no_facebook_share_and_explain_why_in_both_languages() -> None:
    facebook = DEFAULT_RULES.for_network("facebook")
    assert not facebook.rewarded and facebook.share == 0
    assert (
        facebook.why_not is not None
        and "Facebook" in facebook.why_not.fr
        and "Facebook" in facebook.why_not.en
    )
    assert DEFAULT_RULES.for_network("linkedin").rewarded


def test_the_last_share_factor_repeats_for_every_later_share() -> None:
    assert [share_factor(DEFAULT_RULES, n) for n in range(1, 8)] == [1.0, 1.0, 0.5, 0.25, 0.0, 0.0, 0.0]


def test_a_cap_never_gives_negative_points() -> None:
    assert capped(10, 195, 200) == 5
    assert capped(10, 250, 200) == 0


def test_points_count_in_the_iso_week_month_quarter_and_all_time() -> None:
    assert period_keys(datetime(2027, 1, 1, tzinfo=UTC)) == [
        "week:2026-W53",
        "month:2027-01",
        "quarter:2027-Q1",
        "all",
    ]


def test_reasons_read_in_the_person_s_language() -> None:
    assert reason_text("kudos", "Super", "fr") == "Félicitations de l'équipe RH : Super"
    assert reason_text("kudos", "Great", "en") == "Kudos from HR: Great"


def test_clicks_from_a_handful_of_visitors_are_flagged() -> None:
    samples = [ClickSample(visitor=f"v{i % 2}", at=T0 + timedelta(minutes=i * 7)) for i in range(20)]
    reasons, stats = gaming_signals(samples, AntiGaming())
    assert reasons == ["few_visitors"]
    assert stats["visitors"] == 2


def test_a_burst_no_human_makes_is_flagged() -> None:
    samples = [ClickSample(visitor=f"v{i}", at=T0 + timedelta(milliseconds=200 * i)) for i in range(30)]
    reasons, _ = gaming_signals(samples, AntiGaming())
    assert reasons == ["burst"]


def test_ordinary_clicks_are_not_flagged_and_thresholds_are_settings() -> None:
    samples = [ClickSample(visitor=f"v{i}", at=T0 + timedelta(minutes=3 * i)) for i in range(40)]
    assert gaming_signals(samples, AntiGaming())[0] == []
    assert gaming_signals(samples[:5], AntiGaming(min_clicks=3, few_visitors=5))[0] == ["few_visitors"]


def test_a_threshold_challenge_is_won_by_everyone_over_it_and_top_n_by_the_first_n() -> None:
    assert winners("threshold", 50, None, [80, 50, 49]) == [True, True, False]
    assert winners("top_n", None, 2, [80, 50, 49]) == [True, True, False]
