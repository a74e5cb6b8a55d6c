"""Lifecycle: the archival job, its monthly schedule and the archive's object store (the other lifecycle
tools, backup, erasure and tenant moves, are commands of their own)."""

import dagster as dg

from greenlang.lifecycle.jobs import ArchiveResource, archive_past_retention, build_archive_schedule
from greenlang.settings import ArchiveSettings


def lifecycle_definitions(settings: ArchiveSettings) -> dg.Definitions:
    return dg.Definitions(
        jobs=[archive_past_retention],
        schedules=[build_archive_schedule(bool(settings.retention_days))],
        resources={"archive": ArchiveResource.from_settings(settings)},
    )
