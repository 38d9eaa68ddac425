"""Analysts' Cypher: one parameterised query in a READ transaction, bounded in time and rows.

The query runs in a session opened with ``default_access_mode=READ`` through
``session.execute_read``: Neo4j itself refuses every write there (``CREATE``, ``MERGE``, ``SET``,
``DELETE``, write and schema procedures, ``CALL … IN TRANSACTIONS``) with
``Neo.ClientError.Statement.AccessMode``. A server-side transaction timeout (``timeout_s``)
ends runaway queries, and at most ``max_rows`` rows are returned (``truncated`` says more existed).

Some statements are read-only yet reach outside the graph or manage the server, and Neo4j allows
them in a read transaction; the plan of the query (``EXPLAIN``, in the same transaction) is
checked first and these are refused before anything runs:

* ``LOAD CSV`` (the ``LoadCSV`` operator): reads files on the database host or fetches URLs;
* ``TERMINATE TRANSACTIONS`` (ends other users' work);
* procedures whose mode is ``DBMS`` (``db.clearQueryCaches``, ``dbms.killConnections``,
  ``dbms.listConfig``…), except :data:`ALLOWED_DBMS_PROCEDURES`;
* ``SHOW TRANSACTIONS`` (other users' running queries *with their parameters*), administration
  commands (``SHOW USERS``…) and the READ-mode procedures of :data:`REFUSED_PROCEDURES`
  (``db.stats.*`` query collection, which records every user's queries; replanning; index resampling).

Values come back JSON-ready (:func:`to_json`): nodes, relationships and paths as objects,
temporal values as ISO 8601 strings, durations as ISO 8601 durations.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neo4j import ManagedTransaction, unit_of_work
from neo4j.exceptions import ClientError, Neo4jError
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from memcubedb.cypher.admin import PROCEDURE_MODES

if TYPE_CHECKING:
    from memcubedb.graph.store import GraphStore

REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files or URLs outside the graph",
    "TerminateTransactions": "TERMINATE TRANSACTIONS ends other users' transactions",
    "ShowTransactions": "SHOW TRANSACTIONS exposes other users' running queries and their parameters",
    "AdministrationCommand": "administration commands (users, roles, databases) are not for analysts",
}
ALLOWED_DBMS_PROCEDURES = frozenset({"dbms.components"})
REFUSED_PROCEDURES = {
    name: "it collects, reads or resets server-wide query statistics or planning state"
    for name in (
        "db.stats.collect", "db.stats.retrieve", "db.stats.retrieveAllAnonymized", "db.stats.clear",
        "db.stats.stop", "db.prepareForReplanning", "db.resampleIndex", "db.resampleOutdatedIndexes",
    )
}



class CypherRefused(PermissionError):
    """The query would write or reach outside the graph; Neo4j (or the plan check) refused it."""


class CypherTimeout(TimeoutError):
    """The query ran past the transaction timeout and was terminated by Neo4j."""


class CypherFailed(ValueError):
    """Neo4j rejected the query (syntax, a missing parameter, a type error…); ``code`` is Neo4j's."""

    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CypherResult:
    """Rows of a query: ``columns`` in order, ``rows`` as dicts, ``truncated`` when rows were left out."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    elapsed_ms: float


def to_json(value: Any) -> Any:
    """A Neo4j value as JSON-ready Python (dict, list, str, number, bool, None)."""
    if isinstance(value, Node):
        return {"element_id": value.element_id, "labels": sorted(value.labels), "properties": to_json(dict(value))}
    if isinstance(value, Relationship):
        return {
            "element_id": value.element_id,
            "type": value.type,
            "start": value.start_node.element_id if value.start_node else None,
            "end": value.end_node.element_id if value.end_node else None,
            "properties": to_json(dict(value)),
        }
    if isinstance(value, Path):
        return {"nodes": [to_json(n) for n in value.nodes], "relationships": [to_json(r) for r in value.relationships]}
    if isinstance(value, DateTime | Date | Time):
        return value.iso_format()
    if isinstance(value, Duration):
        return value.iso_format()
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def _operators(plan: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield plan
    for child in plan.get("children", []):
        yield from _operators(child)


def _procedure_name(details: str) -> str:
    return details.split("(", 1)[0].strip().strip("`")


def _check_plan(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    plan = tx.run("EXPLAIN " + query, params).consume().plan
    if plan is None:
        return
    procedures: set[str] = set()
    for op in _operators(plan):
        kind = str(op.get("operatorType", "")).split("@", 1)[0]
        if kind in REFUSED_OPERATORS:
            raise CypherRefused(f"refused: {REFUSED_OPERATORS[kind]}")
        if kind == "ProcedureCall":
            procedures.add(_procedure_name(str(op.get("args", {}).get("Details", ""))))
    refused = sorted(procedures & REFUSED_PROCEDURES.keys())
    if refused:
        raise CypherRefused(f"refused: procedure {refused[0]}: {REFUSED_PROCEDURES[refused[0]]}")
    if procedures:
        modes = {r["name"]: r["mode"] for r in tx.run(PROCEDURE_MODES, names=sorted(procedures))}
        for name in sorted(procedures):
            if modes.get(name) == "DBMS" and name not in ALLOWED_DBMS_PROCEDURES:
                raise CypherRefused(f"refused: procedure {name} manages the database server (mode DBMS)")


def run_read_only(
    store: GraphStore, query: str, params: dict[str, Any], *, timeout_s: float, max_rows: int
) -> CypherResult:
    """Run ``query`` with ``params`` in a read transaction of a ``READ``-mode session of ``store``
    (so it can never write, and is routed to a secondary in a cluster); at most ``max_rows`` rows
    come back.

    Args:
        timeout_s: server-side transaction timeout, seconds (> 0).
        max_rows: row limit (>= 1); one more row is read to tell whether the result was cut.

    Raises:
        CypherRefused: a write (refused by Neo4j's read access mode) or a refused statement.
        CypherTimeout: Neo4j terminated the transaction at ``timeout_s``.
        CypherFailed: any other error Neo4j reports for the query.
    """
    if timeout_s <= 0 or max_rows < 1:
        raise ValueError("timeout_s must be > 0 and max_rows >= 1")

    @unit_of_work(timeout=timeout_s)
    def work(tx: ManagedTransaction) -> CypherResult:
        start = time.perf_counter()
        _check_plan(tx, query, params)
        result = tx.run(query, params)
        columns = list(result.keys())
        rows: list[dict[str, Any]] = []
        truncated = False
        for record in result:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append({k: to_json(v) for k, v in record.items()})
        return CypherResult(columns, rows, truncated, round((time.perf_counter() - start) * 1000, 3))

    try:
        return store.execute_read(work)
    except ClientError as exc:
        code = exc.code or ""
        if code.endswith("Statement.AccessMode") or code.endswith("Security.Forbidden"):
            raise CypherRefused(f"refused by Neo4j: {exc.message}") from exc
        if "TransactionTimedOut" in code or code.endswith("Transaction.Terminated"):
            raise CypherTimeout(f"query exceeded the {timeout_s:g} s transaction timeout") from exc
        raise CypherFailed(exc.message or str(exc), exc.code) from exc
    except Neo4jError as exc:
        if "TransactionTimedOut" in (exc.code or ""):
            raise CypherTimeout(f"query exceeded the {timeout_s:g} s transaction timeout") from exc
        raise CypherFailed(exc.message or str(exc), exc.code) from exc
