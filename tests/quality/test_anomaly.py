"""The modified z-score (greenlang.quality.anomaly) on known inputs, and its recall and false-positive rate
on generated daily series with injected anomalies."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greenlang.quality.anomaly import MODIFIED_Z_THRESHOLD, anomalies, daily_anomalies, modified_z_scores


def test_modified_z_score_by_hand() -> None:
    # median 3, absolute deviations 2 1 0 1 97 -> MAD 1; M = 0.6745 x (x - 3)
    scores = modified_z_scores([1, 2, 3, 4, 100])
    assert scores is not None
    assert scores.tolist() == pytest.approx([-1.349, -0.6745, 0.0, 0.6745, 65.4265])
    found = anomalies([1, 2, 3, 4, 100], min_points=5)
    assert [(item.index, item.value, item.median) for item in found] == [(4, 100.0, 3.0)]


def test_the_threshold_is_strictly_above_three_and_a_half() -> None:
    # median 0, MAD 1: x = 3.5 / 0.6745 is exactly on the threshold, a hair more is beyond it
    edge = MODIFIED_Z_THRESHOLD / 0.6745
    base = [-1.0, -1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    assert anomalies([*base, edge], min_points=5) == []
    assert [item.index for item in anomalies([*base, edge + 1e-6], min_points=5)] == [7]


def test_a_short_or_flat_series_is_not_judged() -> None:
    assert anomalies([1, 2, 3, 1000], min_points=7) == []
    assert modified_z_scores([5, 5, 5, 5, 9]) is None
    assert anomalies([5, 5, 5, 5, 5, 5, 5, 90], min_points=7) == []


FIRST_MONDAY = dt.date(2026, 1, 5)


def test_working_days_and_weekends_are_judged_apart() -> None:
    # four weeks: 100 on working days, 60 at weekends, with a little noise; one Saturday at 100
    days = [FIRST_MONDAY + dt.timedelta(days=day) for day in range(28)]
    values = [(100.0 if day.isoweekday() < 6 else 60.0) + (day.day % 3) for day in days]
    saturday = days.index(dt.date(2026, 1, 17))
    values[saturday] = 100.0
    assert [item.index for item in daily_anomalies(days, values, min_points=7)] == [saturday]
    # judged as one series, the ordinary weekend days are the outliers and the odd Saturday is not
    as_one = [item.index for item in anomalies(values, min_points=7)]
    assert saturday not in as_one
    assert as_one == [index for index, day in enumerate(days) if day.isoweekday() >= 6 and index != saturday]


def injected_series(rng: np.random.Generator, days: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """A meter's daily energy: a weekly pattern (weekends lower) with normal noise, and a share ``rate`` of
    days replaced by an anomaly: a spike or a drop of 6 to 12 noise standard deviations (a doubled
    reading, a meter stuck low) — the size of fault the check is there to catch."""
    weekday = np.array([(FIRST_MONDAY + dt.timedelta(days=day)).weekday() for day in range(days)])
    level = np.where(weekday < 5, 1000.0, 700.0)
    noise_sd = 40.0
    values = level + rng.normal(0.0, noise_sd, days)
    injected = rng.random(days) < rate
    sign = rng.choice([-1.0, 1.0], days)
    values[injected] += sign[injected] * rng.uniform(6, 12, days)[injected] * noise_sd
    return values, injected


def test_injected_anomalies_are_found_with_high_recall_and_few_false_positives() -> None:
    """500 series of 90 days with 3 % anomalies, judged as the check judges a mart's series
    (``daily_anomalies``: working days and weekends apart)."""
    rng = np.random.default_rng(20261207)
    true_positive = false_negative = false_positive = true_negative = 0
    for _ in range(500):
        values, injected = injected_series(rng, 90, 0.03)
        days = [FIRST_MONDAY + dt.timedelta(days=day) for day in range(len(values))]
        flagged = np.zeros(len(values), dtype=bool)
        for item in daily_anomalies(days, values.tolist(), min_points=14):
            flagged[item.index] = True
        true_positive += int(np.sum(flagged & injected))
        false_negative += int(np.sum(~flagged & injected))
        false_positive += int(np.sum(flagged & ~injected))
        true_negative += int(np.sum(~flagged & ~injected))
    recall = true_positive / (true_positive + false_negative)
    false_positive_rate = false_positive / (false_positive + true_negative)
    print(
        f"\ninjected anomalies: {true_positive + false_negative}, recall {recall:.2%}; "
        f"normal days: {false_positive + true_negative}, false-positive rate {false_positive_rate:.2%}"
    )
    assert recall >= 0.95
    assert false_positive_rate <= 0.05
