"""A local simulator of the GB Carbon Intensity API, for tests and the demo (``grid_intensity.simulator``).

The client is ``resources.grid.CarbonIntensityResource``; loads go through ``ingestion.ghg_sources``.
"""

from simulators.grid.simulator import CarbonIntensitySimulator

__all__ = ["CarbonIntensitySimulator"]
