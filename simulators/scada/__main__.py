"""``python -m simulators.scada --url nats://127.0.0.1:PORT [--meters 10] [--intervals 60] [--burst]``."""

from simulators.scada.simulator import main

raise SystemExit(main())
