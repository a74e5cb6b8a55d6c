"""The warehouse's life beyond loading: contract migrations, backup and restore, tenant export and move."""
