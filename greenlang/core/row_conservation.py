"""Row conservation: every record read is either loaded or dead-lettered, and the ledger says so."""

from __future__ import annotations

from greenlang.core.warehouse import RAW_SCHEMA, Session


def row_conservation_violations(session: Session, source: str) -> list[dict]:
    """Batches of ``source`` whose ledger or tables break ``rows_read = rows_loaded + rows_rejected``.

    Checks the ledger's own arithmetic and that the raw table and the dead letter hold exactly the
    counts the ledger recorded; a failed batch must have left no row behind. A batch archived
    (``greenlang.lifecycle.archive``) left the tables after its count and hash were verified in the archive.
    """
    rows = session.fetchall(
        f"""
        WITH loaded AS (
            SELECT _batch_id AS batch_id, count(*) AS n FROM {RAW_SCHEMA}.{source} GROUP BY _batch_id
        ), rejected AS (
            SELECT batch_id, count(*) AS n FROM {RAW_SCHEMA}.dead_letter WHERE source = %(source)s GROUP BY batch_id
        )
        SELECT b.batch_id, b.status, b.rows_read, b.rows_loaded, b.rows_rejected,
               coalesce(l.n, 0) AS rows_in_table, coalesce(r.n, 0) AS rows_in_dead_letter
        FROM {RAW_SCHEMA}.load_batch AS b
        LEFT JOIN loaded AS l ON l.batch_id = b.batch_id
        LEFT JOIN rejected AS r ON r.batch_id = b.batch_id
        WHERE b.source = %(source)s
          AND b.batch_id NOT IN (SELECT batch_id FROM {RAW_SCHEMA}.archived_batch)
          AND (b.rows_read <> b.rows_loaded + b.rows_rejected
               OR coalesce(l.n, 0) <> b.rows_loaded
               OR coalesce(r.n, 0) <> b.rows_rejected)
        ORDER BY b.batch_id
        """,
        {"source": source},
    )
    columns = (
        "batch_id",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rows_in_table",
        "rows_in_dead_letter",
    )
    orphans = session.fetchall(
        f"""
        SELECT DISTINCT r._batch_id FROM {RAW_SCHEMA}.{source} AS r
        LEFT JOIN {RAW_SCHEMA}.load_batch AS b ON b.batch_id = r._batch_id AND b.status = 'succeeded'
        WHERE b.batch_id IS NULL
        """
    )
    return [dict(zip(columns, row, strict=False)) for row in rows] + [
        {"batch_id": row[0], "status": "no succeeded ledger row"} for row in orphans
    ]
