"""The hand-worked import lines of the quarterly report tests (tests/cbam) and their test configuration."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from greenlang.cbam.report_schema import NAMESPACE
from greenlang.cbam.report_xml import CbamReportConfig, ImportLine

REPORT_CONFIG = Path(__file__).resolve().parents[1] / "cbam" / "report_config.json"
D = Decimal
CONFIG = CbamReportConfig.from_file(REPORT_CONFIG)
SUBMITTED = dt.datetime(2026, 4, 20, 9, 30, tzinfo=dt.UTC)
NS = {"q": NAMESPACE}


def line(cn, origin, installation, procedure, mass, method, indirect_method, direct, indirect) -> ImportLine:
    return ImportLine(
        "DE1234567890", 2026, 1, cn, f"goods {cn}", origin, installation, procedure, D(mass), method,
        indirect_method, None if direct is None else D(direct), None if indirect is None else D(indirect),
    )  # fmt: skip


# Five lines of declarant DE1234567890 in 2026 Q1 (embedded = specific x mass, as fct_cbam_imports has them):
# 1. 72081000 TR, IN-A, procedure 4000, 10.5 t, actual 1.85 / 0.32 tCO2e/t: 19.425 direct, 3.36 indirect
# 2. 72081000 TR, IN-A, procedure 40,   4.25 t, actual 1.85 / 0.32:          7.8625 direct, 1.36 indirect
# 3. 72081000 TR, no installation, 40,  3 t, default 2.123456789 / 0.1:      6.370370367 direct, 0.3 indirect
# 4. 76011000 CN, IN-B, procedure 40,   2.3333333 t, actual 8.1, indirect not counted: 18.89999973 / 0
# 5. 72081000 TR, emissions missing: left out of the report, counted
LINES = [
    line("72081000", "TR", "IN-A", "4000", "10.5", "actual", "actual", "19.425", "3.36"),
    line("72081000", "TR", "IN-A", "40", "4.25", "actual", "actual", "7.8625", "1.36"),
    line("72081000", "TR", None, "40", "3", "default", "default", "6.370370367", "0.3"),
    line("76011000", "CN", "IN-B", "40", "2.3333333", "actual", "not_counted", "18.89999973", "0"),
    line("72081000", "TR", None, "40", "1", "missing", None, None, None),
]
