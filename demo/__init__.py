"""Demo data: generated customs declaration lines and curated, cited extracts of reference files."""
