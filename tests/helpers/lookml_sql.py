"""The SQL Looker issues for one field of an explore, written from the committed LookML (parsed with ``lkml``)
as Looker's PostgreSQL dialect writes it: the explore's base view, every join (so each ``sql_on`` runs), the
explore's ``access_filter`` as the user attribute's values, and the field (a dimension grouped, a dimension
group's timeframe, a measure aggregated). Measures live on the base views only and every join is
``many_to_one`` to a view with a primary key, so no join fans out and Looker's plain aggregates are what it
issues (no symmetric aggregates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import lkml

REFERENCE = re.compile(r"\$\{(?:(\w+)\.)?(\w+)\}")
TIMEFRAMES = {
    "raw": "{}",
    "time": "TO_CHAR({}, 'YYYY-MM-DD HH24:MI:SS')",
    "date": "CAST({} AS DATE)",
    "week": "TO_CHAR(DATE_TRUNC('week', {}), 'YYYY-MM-DD')",
    "month": "TO_CHAR(DATE_TRUNC('month', {}), 'YYYY-MM')",
    "quarter": "TO_CHAR(DATE_TRUNC('quarter', {}), 'YYYY-MM')",
    "year": "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)",
}
AGGREGATES = {
    "sum": "SUM({})",
    "average": "AVG({})",
    "min": "MIN({})",
    "max": "MAX({})",
    "count_distinct": "COUNT(DISTINCT {})",
}


@dataclass(frozen=True)
class Field:
    view: str
    name: str
    kind: str  # dimension or measure
    type: str
    sql: str | None  # None for a count


@dataclass(frozen=True)
class View:
    name: str
    sql_table_name: str
    fields: dict[str, Field]


def load(folder: Path) -> tuple[dict[str, View], list[dict]]:
    """The views and the explores of a LookML project folder."""
    views, explores = {}, []
    for path in sorted(folder.rglob("*.lkml")):
        parsed = lkml.load(path.read_text(encoding="utf-8"))
        explores += parsed.get("explores", [])
        for view in parsed.get("views", []):
            fields: dict[str, Field] = {}
            for dimension in view.get("dimensions", []):
                fields[dimension["name"]] = Field(
                    view["name"], dimension["name"], "dimension", dimension["type"], dimension["sql"]
                )
            for group in view.get("dimension_groups", []):
                for timeframe in group["timeframes"]:
                    name = f"{group['name']}_{timeframe}"
                    fields[name] = Field(
                        view["name"], name, "dimension", "time", TIMEFRAMES[timeframe].format(group["sql"])
                    )
            for measure in view.get("measures", []):
                fields[measure["name"]] = Field(
                    view["name"], measure["name"], "measure", measure["type"], measure.get("sql")
                )
            views[view["name"]] = View(view["name"], view["sql_table_name"], fields)
    return views, explores


class Explore:
    def __init__(self, explore: Mapping, views: Mapping[str, View]) -> None:
        self.name = explore["name"]
        self.joins = explore.get("joins", [])
        # join (or base) name -> the view it reads
        self.aliases = {
            self.name: views[self.name],
            **{join["name"]: views[join.get("from", join["name"])] for join in self.joins},
        }
        self.access_filters = explore.get("access_filters", [])

    def fields(self) -> Iterator[tuple[str, Field]]:
        for alias, view in self.aliases.items():
            for field in view.fields.values():
                yield alias, field

    def expression(self, alias: str, field: Field) -> str:
        """The field's SQL with ${TABLE} and field references resolved, aggregated if a measure."""
        if field.kind == "measure":
            if field.type == "count":
                return "COUNT(*)"
            sql = self.resolve(alias, field.sql)
            return sql if field.type == "number" else AGGREGATES[field.type].format(sql)
        sql = self.resolve(alias, field.sql)
        return f"CASE WHEN {sql} THEN 'Yes' ELSE 'No' END" if field.type == "yesno" else sql

    def resolve(self, alias: str, sql: str) -> str:
        def substitute(match: re.Match) -> str:
            view, name = match.group(1) or alias, match.group(2)
            if name == "TABLE" and match.group(1) is None:
                return alias
            return f"({self.expression(view, self.aliases[view].fields[name])})"

        return REFERENCE.sub(substitute, sql)

    def query(
        self, alias: str, field: Field, user_attributes: Mapping[str, Sequence[str]]
    ) -> tuple[str, list[str]]:
        """The SELECT of one field through the whole explore, and its parameters (the filter values)."""
        select = self.expression(alias, field)
        sql = f"SELECT {select} AS {field.name}\nFROM {self.aliases[self.name].sql_table_name} AS {self.name}"
        for join in self.joins:
            target = self.aliases[join["name"]]
            sql += f"\nLEFT JOIN {target.sql_table_name} AS {join['name']} ON {self.resolve(self.name, join['sql_on'])}"
        parameters: list[str] = []
        conditions = []
        for access_filter in self.access_filters:
            view, name = access_filter["field"].split(".")
            values = user_attributes[access_filter["user_attribute"]]
            conditions.append(f"{self.expression(view, self.aliases[view].fields[name])} = ANY(%s)")
            parameters.append(list(values))
        if conditions:
            sql += "\nWHERE " + " AND ".join(conditions)
        if field.kind == "dimension":
            sql += "\nGROUP BY 1\nORDER BY 1"
        return sql + "\nLIMIT 500", parameters


@dataclass(frozen=True)
class FieldRuns:
    explores: int
    fields: int  # (explore, view, field) queries run
    failures: list[str]  # explore/view.field: the error, or that it returned no row


def run_every_field(connection, folder: Path, user_attributes: Mapping[str, Sequence[str]]) -> FieldRuns:
    """Each field of each explore, queried through its explore; each must run and return a row, unless the
    explore's own relation holds no row in this warehouse (its fields must still run)."""
    views, explores = load(folder)
    fields, failures = 0, []
    for spec in explores:
        explore = Explore(spec, views)
        table = views[explore.name].sql_table_name
        empty = connection.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
        for alias, field in explore.fields():
            sql, parameters = explore.query(alias, field, user_attributes)
            fields += 1
            try:
                rows = connection.execute(sql, parameters).fetchall()
            except Exception as error:  # noqa: BLE001 (reported with the field it failed)
                connection.rollback()
                failures.append(f"{explore.name}/{alias}.{field.name}: {error}")
                continue
            if not rows and not empty:
                failures.append(f"{explore.name}/{alias}.{field.name}: no row")
    return FieldRuns(len(explores), fields, failures)
