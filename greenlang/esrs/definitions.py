"""ESRS E1: the XBRL-keyed export of the E1-5 / E1-6 reports and their consistency checks."""

import dagster as dg

from greenlang.esrs.checks import build_esrs_checks
from greenlang.esrs.export import esrs_e1_export


def esrs_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[esrs_e1_export], asset_checks=build_esrs_checks())
