"""Documentation in the database: the column descriptions of the dbt YAML against the column comments
PostgreSQL holds for them (``persist_docs``), relation by relation, by their published names."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

# What readers select and what they are kept from, the reports' materialized views included.
DOCUMENTED_SCHEMAS = ("marts", "reporting", "reporting_readers")

_COMMENTS = """
SELECT a.attname, col_description(a.attrelid, a.attnum)
FROM pg_attribute a
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
"""


@dataclass(frozen=True)
class CommentCoverage:
    described: int  # columns with a YAML description, in relations of DOCUMENTED_SCHEMAS
    commented: int  # of those, the ones whose comment in the database is their description
    wrong: list[str]  # relation.column: missing or other than the description

    def __str__(self) -> str:
        return f"{self.commented} of {self.described} described columns carry their comment"


def comment_coverage(connection: psycopg.Connection, manifest: dict) -> CommentCoverage:
    described = commented = 0
    wrong = []
    for node in sorted(manifest["nodes"].values(), key=lambda node: node["unique_id"]):
        if node["resource_type"] != "model" or node["schema"] not in DOCUMENTED_SCHEMAS:
            continue
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        comments = dict(connection.execute(_COMMENTS, (relation,)).fetchall())
        assert comments, f"{relation} is not in the database"
        for column in node["columns"].values():
            if not column["description"]:
                continue
            described += 1
            if comments.get(column["name"]) == column["description"]:
                commented += 1
            else:
                wrong.append(f"{node['schema']}.{node['alias']}.{column['name']}")
    return CommentCoverage(described, commented, wrong)
