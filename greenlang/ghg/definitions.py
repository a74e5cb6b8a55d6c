"""GHG: what the domain adds to its landing sources (``greenlang.ghg.sources``): the EPA hub workbooks and
the GB grid-intensity API, each with its row-conservation check, job and schedule; the API's client."""

from pathlib import Path

import dagster as dg

from greenlang.ghg.assets import EPA_KEY, build_epa_emission_factors_asset
from greenlang.ghg.grid import grid_carbon_intensity, grid_intensity_job, grid_intensity_schedule
from greenlang.ghg.grid_api import CarbonIntensityResource
from greenlang.ghg.meter_stream import meter_stream_definitions
from greenlang.ghg.sources import EPA_EMISSION_FACTORS, GRID_CARBON_INTENSITY
from greenlang.ingest.checks import build_row_conservation_checks

# The landing sensor cannot tell a loaded EPA workbook from a new one (its batches are keyed by the
# cells' hash, not the file's): a weekly load picks up a new edition; an unchanged one loads nothing and,
# its data version unchanged, rebuilds nothing.
epa_job = dg.define_asset_job(
    "load_epa__emission_factors",
    selection=dg.AssetSelection.assets(EPA_KEY),
    description="Load the EPA GHG Emission Factors Hub workbooks waiting in the landing folder",
)
epa_weekly_load = dg.ScheduleDefinition(
    name="load_epa__emission_factors_weekly",
    job=epa_job,
    cron_schedule="0 4 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Loads a new EPA hub workbook (a yearly publication) on Mondays at 04:00 UTC",
)


def ghg_definitions(landing_dir: Path, nats_configured: bool, tenants: frozenset[str]) -> dg.Definitions:
    """``nats_configured``: the deployment streams meter readings (GREENLANG_NATS_URL is set); ``tenants``:
    the registered ones, whose readings the stream's writer accepts."""
    batch = dg.Definitions(
        assets=[build_epa_emission_factors_asset(landing_dir), grid_carbon_intensity],
        asset_checks=build_row_conservation_checks([EPA_EMISSION_FACTORS, GRID_CARBON_INTENSITY]),
        jobs=[grid_intensity_job, epa_job],
        schedules=[grid_intensity_schedule, epa_weekly_load],
        resources={"grid": CarbonIntensityResource(base_url=dg.EnvVar("GREENLANG_GRID_API_URL"))},
    )
    return dg.Definitions.merge(batch, meter_stream_definitions(nats_configured, tenants))
