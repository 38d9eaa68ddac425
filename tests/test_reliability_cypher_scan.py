"""No Cypher is ever built from values: an AST scan of every Python file of the repository.

1. No f-string, ``%`` or ``.format`` whose literal text looks like Cypher interpolates anything;
   nor does a function whose result is joined into Cypher text build that result by formatting
   (a fragment such as ``{from_id: x.id, ...}`` carries no Cypher keyword of its own).
2. No ``+`` joins Cypher text with anything but named constants (``UPPER_CASE``), literals, or
   calls whose arguments are all literals; in the package no ``+`` joins Cypher text at all —
   every query is written out whole, so grep finds its full text.
3. In the package, every ``.run`` / ``.execute_query`` / ``.read`` call passes a query that is a
   literal or a named constant — or the enclosing function's own parameter, in the pass-through
   helpers of :data:`PASS_THROUGH` (which the same rule then checks at their call sites).

Each rule is also run on a snippet that breaks it, so the scanner itself is shown to catch it.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import memcubedb.cypher

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", "node_modules", ".git", "build", ".hypothesis", "__pycache__", ".stamps"}
PACKAGE_DIRS = {"api", "graph", "search", "scheduler", "extraction", "memcubedb", "cypher"}
CYPHER = re.compile(r"\b(MATCH|MERGE|CREATE|SET|WHERE|DELETE|DETACH|REMOVE|RETURN|UNWIND|FOREACH|LOAD CSV)\b")
QUERY_METHODS = {"run", "execute_query", "read"}
NEO4J_RECEIVER = re.compile(r"(^|[._])(tx|session|s|driver|_driver|store|_store)$")
"""Receivers of Neo4j query calls: transactions, sessions, drivers and the GraphStore."""

PASS_THROUGH = {
    ("graph/store.py", "read"): ({"query"}, "runs the caller's query constant"),
    ("graph/store.py", "write"): ({"query"}, "runs the caller's query constant"),
    ("graph/permissions.py", "_owner_only"): ({"query"}, "runs one of the module's grant constants"),
    ("graph/migrations.py", "apply_migrations"): ({"statement"}, "the shipped cypher/migrations files"),
    ("graph/read_models/analyst.py", "_check_plan"): ({"query"}, "analysts' read-only Cypher, READ transaction"),
    ("graph/read_models/analyst.py", "work"): ({"query"}, "analysts' read-only Cypher, READ transaction"),
    ("search/vectors.py", "_write"): ({"query"}, "runs the caller's query constant"),
    ("search/channels.py", "_fetch_visible"): ({"query"}, "runs the channel's query constant, deeper each time"),
    ("scheduler/memscheduler.py", "_read"): ({"query"}, "runs one of cypher/scheduler.py's reads over live cubes"),
}
"""Helpers that run a query handed to them: the names the query may be made of, and why that is
never user text (their callers pass constants, which this rule checks at the call sites)."""

NOT_QUERIES = {("api/cli/mainjob.py", "serve"): "prints a curl example for the console; never sent to Neo4j"}
"""Functions whose formatted text mentions Cypher without being a query."""


def python_files(dirs: set[str] | None = None) -> list[Path]:
    """Every .py file of the repository (or of the given top-level folders)."""
    out = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts) or (dirs is not None and rel.parts[0] not in dirs):
            continue
        out.append(path)
    return sorted(out)


def _literal(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _constant_like(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name | ast.Attribute):
        name = node.id if isinstance(node, ast.Name) else node.attr
        return name.isupper()
    if isinstance(node, ast.Call):
        return all(isinstance(a, ast.Constant) for a in node.args) and not node.keywords
    return False


def _parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _parts(node.left) + _parts(node.right)
    return [node]


def _functions(tree: ast.AST) -> dict[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Each node → the innermost function around it."""
    owner: dict[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def visit(node: ast.AST, fn: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else fn
            if inner is not None:
                owner[child] = inner
            visit(child, inner)

    visit(tree, None)
    return owner


def _formats(node: ast.AST) -> bool:
    """``node`` interpolates values into text: an f-string with a value, ``str % ...`` or ``str.format``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant))


def formatting_builders(source: str, name: str) -> list[str]:
    """Rule 1 for fragments: functions called inside a ``+`` that joins Cypher text, whose body
    formats text (``file:line builder: name``)."""
    tree = ast.parse(source, name)
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = _parts(node)
            if CYPHER.search("".join(_literal(p) for p in parts)):
                called |= {p.func.id for p in parts if isinstance(p, ast.Call) and isinstance(p.func, ast.Name)}
    return [
        f"{name}:{fn.lineno} builder: {fn.name}() formats the Cypher it returns"
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name in called
        and any(_formats(n) for n in ast.walk(fn))
    ]


def formatted_cypher(source: str, name: str) -> list[str]:
    """Rules 1 and 2 on one file's source: ``file:line kind: text`` for each offence."""
    tree = ast.parse(source, name)
    functions = _functions(tree)
    found, seen = formatting_builders(source, name), set()
    for node in ast.walk(tree):
        fn = functions.get(node)
        if fn is not None and (name, fn.name) in NOT_QUERIES:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(_literal(v) for v in node.values)
            if CYPHER.search(text) and any(isinstance(v, ast.FormattedValue) for v in node.values):
                found.append(f"{name}:{node.lineno} f-string: {text[:60]!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and CYPHER.search(_literal(node.left)):
            found.append(f"{name}:{node.lineno} %-format: {_literal(node.left)[:60]!r}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and CYPHER.search(_literal(node.func.value))):
            found.append(f"{name}:{node.lineno} .format: {_literal(node.func.value)[:60]!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and id(node) not in seen:
            parts = _parts(node)
            seen.update(id(sub) for sub in ast.walk(node))
            values = [p for p in parts if not _constant_like(p)]
            if values and CYPHER.search("".join(_literal(p) for p in parts)):
                found.append(f"{name}:{node.lineno} concatenation of {[ast.unparse(v) for v in values]}")
    return found


def unnamed_queries(source: str, name: str) -> list[str]:
    """Rule 3 on one file's source: Neo4j query calls whose query is neither a literal nor a named
    constant, outside the pass-through helpers (only their own parameter may pass there)."""
    tree = ast.parse(source, name)
    functions = _functions(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        if node.func.attr not in QUERY_METHODS or not NEO4J_RECEIVER.search(ast.unparse(node.func.value)):
            continue
        query = node.args[0]
        if _constant_like(query) and not isinstance(query, ast.Call):
            continue
        fn = functions.get(node)
        allowed = PASS_THROUGH.get((name, fn.name), (set(), ""))[0] if fn is not None else set()
        used = {n.id for n in ast.walk(query) if isinstance(n, ast.Name)}
        if used and used <= allowed and not any(isinstance(n, ast.JoinedStr) for n in ast.walk(query)):
            continue
        found.append(f"{name}:{node.lineno} {ast.unparse(node)[:90]}")
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_formatted_cypher_anywhere() -> None:
    files = python_files()
    assert len(files) > 100
    offences = [o for path in files for o in formatted_cypher(path.read_text(encoding="utf-8"), _rel(path))]
    assert offences == [], "Cypher built from values:\n" + "\n".join(offences)


def joined_cypher(source: str, name: str) -> list[str]:
    """Rule 2 in the package: any ``+`` whose literal parts are Cypher text (``file:line joined``)."""
    found, seen = [], set()
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and id(node) not in seen:
            parts = _parts(node)
            seen.update(id(sub) for sub in ast.walk(node))
            if CYPHER.search("".join(_literal(p) for p in parts)):
                found.append(f"{name}:{node.lineno} joined: {ast.unparse(node)[:80]}")
    return found


def test_package_queries_are_written_whole() -> None:
    files = python_files(PACKAGE_DIRS)
    offences = [o for path in files for o in joined_cypher(path.read_text(encoding="utf-8"), _rel(path))]
    assert offences == [], "Cypher joined from pieces:\n" + "\n".join(offences)


def test_package_queries_are_named_constants() -> None:
    files = python_files(PACKAGE_DIRS)
    offences = [o for path in files for o in unnamed_queries(path.read_text(encoding="utf-8"), _rel(path))]
    assert offences == [], "queries that are not named constants:\n" + "\n".join(offences)
    for file, function in [*PASS_THROUGH, *NOT_QUERIES]:
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert function in names, f"stale PASS_THROUGH entry {file}:{function}"


BAD = '''
def find(session, name, principal):
    session.run(f"MATCH (c:MemCube) WHERE c.owner = '{principal}' RETURN c")
    session.run("MATCH (e:Entity {name: '%s'}) RETURN e" % name)
    session.run("MATCH (e:Entity) WHERE e.name = '{}' RETURN e".format(name))
    session.run("MATCH (e:Entity) WHERE e.name = '" + name + "' RETURN e")
    query = "MATCH (n) RETURN n"
    session.run(query)
'''


BAD_BUILDER = '''
def _move(src, dst):
    return f"{{from_id: {src}.id, to_id: {dst}.id}}"


MOVES = "MATCH (c)-[p:PROMOTED_TO]->(t) RETURN " + _move("c", "t") + " AS move"
'''


def test_the_scanner_catches_each_form() -> None:
    offences = formatted_cypher(BAD, "bad.py")
    assert [o.split()[1] for o in offences] == ["f-string:", "%-format:", ".format:", "concatenation"]
    assert [o.split()[1] for o in formatted_cypher(BAD_BUILDER, "bad.py")] == ["builder:"]
    assert len(unnamed_queries(BAD, "bad.py")) == 5
    assert formatted_cypher('Q = "MATCH (n) WHERE n.id = $id RETURN n"\nR = Q + " LIMIT 1"', "ok.py") == []
    assert len(joined_cypher('Q = "MATCH (n) WHERE " + "n.id = $id RETURN n"', "pkg.py")) == 1


def area_queries() -> dict[str, str]:
    """Every query constant of the area modules of :mod:`memcubedb.cypher`, by ``module.NAME``."""
    out = {}
    for info in pkgutil.iter_modules(memcubedb.cypher.__path__):
        module = importlib.import_module(f"memcubedb.cypher.{info.name}")
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and CYPHER.search(value):
                out[f"{info.name}.{name}"] = value
    return out


def test_each_query_walks_the_permission_graph_once() -> None:
    """The caller's groups are computed once per query (``acl_groups``) and reused by every branch:
    at most one ``MEMBER_OF`` walk per query, and ``acl_groups`` bound exactly once where used."""
    queries = area_queries()
    assert len(queries) > 60
    for name, text in queries.items():
        assert text.count("MEMBER_OF*") <= 1, f"{name} walks MEMBER_OF {text.count('MEMBER_OF*')} times"
        if "acl_groups" in text:
            assert text.count("AS acl_groups") == 1, f"{name} binds acl_groups {text.count('AS acl_groups')} times"
