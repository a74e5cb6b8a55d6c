"""The quarterly report's figures, worked by hand, and its XML against the Commission's XSD (QReport 17.03).

tests/cbam/report_config.json: a test configuration whose code values are those of the Commission's sample
report (../shared/data/cbam/Sample_CBAM_Quarterly_Report.xml: units 01 and EMU1, import area EU, indicator
0, determination 01 and 02, methodology TOM02, electricity source SOE03, method P11); names, addresses and
method P31 are made up for the test.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from greenlang.cbam.report_schema import schema_errors
from greenlang.cbam.report_xml import (
    CbamReportConfig,
    MissingConfiguration,
    quantize,
    quarterly_reports,
    to_xml,
)
from tests.helpers.cbam import CONFIG, LINES, NS, SUBMITTED, D, line


def test_hand_worked_totals_and_per_tonne_figures() -> None:
    (report,) = quarterly_reports(LINES)
    assert report.lines_left_out == 1
    steel, aluminium = report.goods
    # Good 1, 72081000 from TR: lines 1-3.
    #   mass 10.5 + 4.25 + 3 = 17.75 t; procedure 40: 4.25 + 3 = 7.25 t, procedure 4000: 10.5 t
    #   direct 19.425 + 7.8625 + 6.370370367 = 33.657870367 -> 7 places (dec16-7): 33.6578704
    #   indirect 3.36 + 1.36 + 0.3 = 5.02; overall 33.6578704 + 5.02 = 38.6778704
    #   per tonne: exact overall 38.677870367 / 17.75: 17.75 x 2.179 = 38.67725, remainder 0.000620367,
    #   / 17.75 = 0.0000349502...; so 2.1790349502... -> 7 places, half up: 2.1790350
    assert (steel.cn_code, steel.origin_country, steel.item_number) == ("72081000", "TR", 1)
    assert steel.mass == D("17.75")
    assert steel.mass_by_procedure == (("40", D("7.25")), ("4000", D("10.5")))
    assert (steel.emissions.direct, steel.emissions.indirect) == (D("33.6578704"), D("5.0200000"))
    assert steel.emissions.overall == D("38.6778704")
    assert steel.emissions_per_unit == D("2.1790350")
    # Its GoodsEmissions: IN-A actual (lines 1-2): 14.75 t, 27.2875 / 4.72 -> 1.85 and 0.32 per tonne;
    #   no installation, default (line 3): 3 t, 6.370370367 / 3 = 2.123456789 -> 2.1234568; 0.3 / 3 = 0.1
    installation_a, unnamed = steel.goods_emissions
    assert (installation_a.installation_id, installation_a.mass) == ("IN-A", D("14.75"))
    assert (installation_a.emissions.direct, installation_a.emissions.indirect) == (D("27.2875"), D("4.72"))
    assert (installation_a.direct_see, installation_a.indirect_see) == (D("1.85"), D("0.32"))
    assert (unnamed.installation_id, unnamed.direct_method) == (None, "default")
    assert (unnamed.direct_see, unnamed.indirect_see) == (D("2.1234568"), D("0.1"))
    assert unnamed.emissions.direct == D("6.3703704")
    # Good 2, 76011000 from CN: 18.89999973 direct -> 18.8999997; indirect 0; 18.89999973 / 2.3333333 = 8.1
    assert (aluminium.cn_code, aluminium.item_number) == ("76011000", 2)
    assert aluminium.emissions.overall == D("18.8999997")
    assert aluminium.emissions_per_unit == D("8.1")
    # Report: 2 goods; 38.6778704 + 18.8999997 = 57.5778701
    assert report.total_emissions == D("57.5778701")


def test_the_report_xml_carries_the_figures_and_validates(shared_data: Path) -> None:
    (report,) = quarterly_reports(LINES)
    xml = to_xml(report, CONFIG, SUBMITTED, SUBMITTED.date())
    assert schema_errors(xml, shared_data / "cbam") == []
    root = ET.fromstring(xml)
    assert root.findtext("q:TotalImported", namespaces=NS) == "2"
    assert root.findtext("q:TotalEmissions", namespaces=NS) == "57.5778701"
    assert root.findtext("q:ReportingPeriod", namespaces=NS) == "Q1"
    steel = root.find("q:ImportedGood", NS)
    assert steel.findtext("q:CommodityCode/q:HsCode", namespaces=NS) == "720810"
    assert steel.findtext("q:CommodityCode/q:CnCode", namespaces=NS) == "00"
    procedures = [
        (item.findtext("q:Procedure/q:RequestedProc", namespaces=NS),
         item.findtext("q:Procedure/q:PreviousProc", namespaces=NS),
         item.findtext("q:MeasureProcedureImported/q:NetMass", namespaces=NS))
        for item in steel.findall("q:ImportedQuantity", NS)
    ]  # fmt: skip
    assert procedures == [("40", None, "7.25"), ("40", "00", "10.5")]
    totals = steel.find("q:TotalEmissions", NS)
    assert [child.text for child in totals] == ["2.179035", "38.6778704", "33.6578704", "5.02", "EMU1"]
    determinations = [
        element.text
        for element in steel.findall("q:GoodsEmissions/q:DirectEmissions/q:DeterminationType", NS)
    ]
    assert determinations == ["01", "02"]  # actual (IN-A), default (no installation)
    aluminium = root.findall("q:ImportedGood", NS)[1]
    # IN-B's configured registry id, IN-A's own id (it fits the 17 characters)
    assert (
        aluminium.findtext("q:GoodsEmissions/q:Installation/q:InstallationId", namespaces=NS)
        == "TRB0000000000002"
    )
    assert steel.findtext("q:GoodsEmissions/q:Installation/q:InstallationId", namespaces=NS) == "IN-A"
    # indirect emissions not counted: no IndirectEmissions element (it is optional)
    assert aluminium.find("q:GoodsEmissions/q:IndirectEmissions", NS) is None
    # same report, same moments: same bytes
    assert to_xml(report, CONFIG, SUBMITTED, SUBMITTED.date()) == xml


def test_quantize_keeps_the_schema_total_digits() -> None:
    assert quantize(D("123456789.12345675"), 7, "TotalEmissions") == D("123456789.1234568")
    with pytest.raises(ValueError, match=r"TotalEmissions: .* 17 digits"):
        quantize(D("1234567890.5"), 7, "TotalEmissions")


def test_a_value_the_warehouse_lacks_must_be_configured() -> None:
    (report,) = quarterly_reports(LINES)
    unknown = CbamReportConfig.model_validate(
        {**CONFIG.model_dump(), "installations": {"IN-A": {"name": "Installation A"}}}
    )
    with pytest.raises(MissingConfiguration, match="nothing configured for installation IN-B"):
        to_xml(report, unknown, SUBMITTED, SUBMITTED.date())
    # an id of the warehouse longer than InstallationId's 17 characters needs its registry id
    long_id = quarterly_reports(
        [line("72081000", "TR", "TR-I0001 Long Name Steel", "40", "1", "actual", "actual", "1", "0")]
    )[0]
    named = CbamReportConfig.model_validate(
        {**CONFIG.model_dump(), "installations": {"TR-I0001 Long Name Steel": {"name": "Long Name Steel"}}}
    )
    with pytest.raises(MissingConfiguration, match="longer than the 17 characters of InstallationId"):
        to_xml(long_id, named, SUBMITTED, SUBMITTED.date())
    other = quarterly_reports([line("72081000", "TR", None, "40", "1", "actual", "actual", "1", "0")])[0]
    stranger = CbamReportConfig.model_validate({**CONFIG.model_dump(), "declarants": {}})
    with pytest.raises(MissingConfiguration, match="no details configured for declarant DE1234567890"):
        to_xml(other, stranger, SUBMITTED, SUBMITTED.date())
