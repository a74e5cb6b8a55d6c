"""GHG: what the domain adds to its landing sources (``greenlang.ghg.sources``): the EPA hub workbooks and
the GB grid-intensity API, each with its row-conservation check, job and schedule; the API's client."""

from pathlib import Path

import dagster as dg

from greenlang.ghg.assets import build_epa_emission_factors_asset
from greenlang.ghg.grid import grid_carbon_intensity, grid_intensity_job, grid_intensity_schedule
from greenlang.ghg.grid_api import CarbonIntensityResource
from greenlang.ghg.sources import EPA_EMISSION_FACTORS, GRID_CARBON_INTENSITY
from greenlang.ingest.checks import build_row_conservation_checks


def ghg_definitions(landing_dir: Path) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_epa_emission_factors_asset(landing_dir), grid_carbon_intensity],
        asset_checks=build_row_conservation_checks([EPA_EMISSION_FACTORS, GRID_CARBON_INTENSITY]),
        jobs=[grid_intensity_job],
        schedules=[grid_intensity_schedule],
        resources={"grid": CarbonIntensityResource(base_url=dg.EnvVar("GREENLANG_GRID_API_URL"))},
    )
