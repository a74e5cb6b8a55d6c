"""What test modules share: warehouse settings, the one dbt runner, and per-domain row builders.

Test modules import from here (or use the fixtures of ``tests/conftest.py``), never from each other
or from a conftest.
"""
