"""``python -m simulators.grid [--port 8088] [--seed 2026]``: serve the simulator until interrupted."""

from simulators.grid.simulator import main

raise SystemExit(main())
