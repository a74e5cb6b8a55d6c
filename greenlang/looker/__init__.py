"""The Looker layer generated from the dbt project (make lookml): lookml.py."""
