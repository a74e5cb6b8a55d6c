"""The warehouse's life beyond loading: contract migrations, backup and restore, tenant export and move,
archival (a command, and a Dagster job with its monthly schedule)."""
