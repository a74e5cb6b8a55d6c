"""A local simulator of the GB Carbon Intensity API, for tests and the demo (``simulators.grid.simulator``).

The client is ``greenlang.ghg.grid_api.CarbonIntensityResource``; loads go through ``greenlang.ghg.sources``.
"""

from simulators.grid.simulator import CarbonIntensitySimulator

__all__ = ["CarbonIntensitySimulator"]
