"""Anomalies in a series of measures by the modified z-score (Iglewicz and Hoaglin, "How to Detect and
Handle Outliers", ASQC 1993; NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.5.17):

    M_i = 0.6745 (x_i - median(x)) / MAD,   MAD = median(|x_i - median(x)|)

and x_i is an anomaly when |M_i| > 3.5, the threshold Iglewicz and Hoaglin recommend. 0.6745 is the
0.75 quantile of the standard normal distribution, which makes MAD / 0.6745 estimate the standard
deviation of normal data; the median and the MAD are not moved by the outliers they are to find, unlike
the mean and the standard deviation. A daily series is judged in two groups, working days and weekends
(``daily_anomalies``): energy use, emissions and spend follow the working week, and one median for both
would take the weekly swing for spread and miss the faults inside it. A series with fewer than ``min_points`` values, or whose MAD is 0
(more than half its values equal), is not judged: there is no spread to measure a deviation against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Iglewicz and Hoaglin (1993): the 0.75 quantile of N(0, 1), and the recommended cut-off of |M_i|.
NORMAL_QUANTILE_75 = 0.6745
MODIFIED_Z_THRESHOLD = 3.5


@dataclass(frozen=True)
class Anomaly:
    index: int
    value: float
    median: float
    modified_z: float


def modified_z_scores(values: Sequence[float]) -> np.ndarray | None:
    """M_i of every value; None when the MAD is 0."""
    x = np.asarray(values, dtype=float)
    median = np.median(x)
    mad = np.median(np.abs(x - median))
    if mad == 0:
        return None
    return NORMAL_QUANTILE_75 * (x - median) / mad


def anomalies(
    values: Sequence[float], *, threshold: float = MODIFIED_Z_THRESHOLD, min_points: int = 7
) -> list[Anomaly]:
    """The values of ``values`` whose |modified z-score| exceeds ``threshold``, in order."""
    if len(values) < min_points:
        return []
    scores = modified_z_scores(values)
    if scores is None:
        return []
    median = float(np.median(np.asarray(values, dtype=float)))
    return [
        Anomaly(index=int(index), value=float(values[index]), median=median, modified_z=float(scores[index]))
        for index in np.flatnonzero(np.abs(scores) > threshold)
    ]


def daily_anomalies(
    days: Sequence[dt.date], values: Sequence[float], *, min_points: int = 7
) -> list[Anomaly]:
    """``anomalies`` of a daily series, working days (Monday to Friday) and weekends judged apart; each
    anomaly's ``index`` is its position in ``values``."""
    found = []
    for weekend in (False, True):
        positions = [index for index, day in enumerate(days) if (day.isoweekday() >= 6) == weekend]
        for item in anomalies([values[index] for index in positions], min_points=min_points):
            found.append(Anomaly(positions[item.index], item.value, item.median, item.modified_z))
    return sorted(found, key=lambda item: item.index)
