"""``python -m grid_intensity [--port 8088] [--seed 2026]``: serve the simulator until interrupted."""

from grid_intensity.simulator import main

raise SystemExit(main())
