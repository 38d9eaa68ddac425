"""The embedded-default Neo4j: Neo4j 5.26 LTS Community run by the project itself.

The engine is resolved from Maven Central by ``graph/embedded/launcher/pom.xml`` (artifact
``org.neo4j:neo4j``), built once with Maven into ``target/`` and run as a Java process
(``memcubedb.EmbeddedNeo4j``) with the Bolt connector on ``settings.neo4j.host``
(127.0.0.1 by default) and authentication on: the built-in ``neo4j`` user's password is
generated once (:func:`ensure_password`, 256 bits from :mod:`secrets`) and kept in
``settings.neo4j_password_file`` with mode 0600, where the project's own commands read it
(``settings.neo4j_auth``). Its store lives in ``settings.neo4j_home``; a pid file and a log are
written beside it. ``start`` waits until Bolt answers; ``stop`` sends SIGTERM and waits for
the clean shutdown.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from memcubedb.settings import Settings

SERVER_DIR = Path(__file__).resolve().parent / "launcher"
MAIN_CLASS = "memcubedb.EmbeddedNeo4j"
READY_MARK = "MEMCUBEDB-NEO4J READY"


class Neo4jServerError(RuntimeError):
    """The embedded Neo4j could not be built, started or stopped."""


@dataclass(frozen=True)
class ServerStatus:
    """What ``status`` reports: whether it runs, its pid, where it listens and keeps data."""

    running: bool
    pid: int | None
    bolt_uri: str
    home: Path


def _pid_file(settings: Settings) -> Path:
    return settings.neo4j_home / "memcubedb-neo4j.pid"


def _log_file(settings: Settings) -> Path:
    return settings.neo4j_home / "memcubedb-neo4j.log"


def _require(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise Neo4jServerError(f"`{tool}` was not found on PATH: {hint}")
    return path


def build(server_dir: Path = SERVER_DIR) -> Path:
    """Resolve Neo4j from Maven Central and compile the launcher (once; later calls are no-ops).

    Returns:
        the ``target`` directory holding ``classes/`` and ``lib/*.jar``.

    Raises:
        Neo4jServerError: when Java 17+ or Maven is missing, or the Maven build fails.
    """
    target = server_dir / "target"
    built = target / "classes" / "memcubedb" / "EmbeddedNeo4j.class"
    sources = [server_dir / "pom.xml", *(server_dir / "src").rglob("*.java")]
    if built.exists() and (target / "lib").is_dir() and all(
        s.stat().st_mtime <= built.stat().st_mtime for s in sources
    ):
        return target
    _require("java", "install a Java 17 runtime (e.g. `apt-get install openjdk-17-jdk-headless`)")
    mvn = _require("mvn", "install Apache Maven (e.g. `apt-get install maven`)")
    proc = subprocess.run(
        [mvn, "-q", "-B", "-f", str(server_dir / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise Neo4jServerError(f"Maven build of the embedded Neo4j failed:\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
    return target


def ensure_password(settings: Settings) -> str:
    """The embedded server's password, generated on first use and kept with mode 0600.

    A file with looser permissions (e.g. restored from a backup) is tightened to 0600.
    """
    path = settings.neo4j_password_file
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(path, 0o600)
    return path.read_text().strip()


def _read_pid(settings: Settings) -> int | None:
    try:
        pid = int(_pid_file(settings).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _bolt_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def status(settings: Settings) -> ServerStatus:
    """Report whether the embedded server of ``settings`` is running."""
    pid = _read_pid(settings)
    return ServerStatus(running=pid is not None, pid=pid, bolt_uri=settings.bolt_uri, home=settings.neo4j_home)


def start(settings: Settings) -> ServerStatus:
    """Build (if needed) and start the embedded Neo4j; return once Bolt answers.

    Idempotent: a server already running for these settings is left as it is.

    Raises:
        Neo4jServerError: Java/Maven missing, the port taken by another process, or the
            server not answering within ``settings.neo4j.start_timeout_s`` seconds.
    """
    if not settings.embedded:
        raise Neo4jServerError(f"an external Neo4j is configured ({settings.neo4j_uri}); nothing to start")
    current = status(settings)
    if current.running:
        return current
    cfg = settings.neo4j
    if _bolt_answers(cfg.host, cfg.bolt_port):
        raise Neo4jServerError(f"port {cfg.bolt_port} on {cfg.host} is already in use by another process")
    java = _require("java", "install a Java 17 runtime (e.g. `apt-get install openjdk-17-jdk-headless`)")
    target = build()
    settings.neo4j_home.mkdir(parents=True, exist_ok=True)
    ensure_password(settings)
    classpath = f"{target / 'classes'}{os.pathsep}{target / 'lib' / '*'}"
    cmd = [
        java,
        f"-Xmx{cfg.heap_mb}m",
        "-XX:+UseG1GC",
        "-cp",
        classpath,
        MAIN_CLASS,
        str(settings.neo4j_home),
        cfg.host,
        str(cfg.bolt_port),
        str(cfg.pagecache_mb),
        str(cfg.tx_timeout_s),
        str(settings.neo4j_password_file),
    ]
    log = _log_file(settings).open("ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _pid_file(settings).write_text(str(proc.pid))
    deadline = time.monotonic() + cfg.start_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _pid_file(settings).unlink(missing_ok=True)
            tail = _log_file(settings).read_text(errors="replace")[-3000:]
            raise Neo4jServerError(f"Neo4j exited with code {proc.returncode}:\n{tail}")
        if _bolt_answers(cfg.host, cfg.bolt_port) and READY_MARK in _log_file(settings).read_text(errors="replace"):
            return status(settings)
        time.sleep(0.25)
    stop(settings)
    raise Neo4jServerError(f"Neo4j did not answer on {settings.bolt_uri} within {cfg.start_timeout_s} s")


def stop(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Stop the embedded server cleanly (SIGTERM, then SIGKILL after ``timeout_s`` seconds).

    Returns:
        True if a running server was stopped, False if none was running.
    """
    pid = _read_pid(settings)
    if pid is None:
        _pid_file(settings).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        _reap(pid)
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    _pid_file(settings).unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status of a child we started ourselves (avoids a zombie)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@contextlib.contextmanager
def running(settings: Settings) -> Iterator[bool]:
    """The Neo4j of ``settings`` for the duration of a ``with`` block: the embedded server is
    started when it is not running and stopped again on leaving, only if this call started it
    (a server someone else runs, or an external ``NEO4J_URI``, is left alone).

    Yields:
        True if this call started the server (and will stop it), else False.

    Raises:
        Neo4jServerError: as :func:`start`.
    """
    started = settings.embedded and not status(settings).running
    if started:
        start(settings)
    try:
        yield started
    finally:
        if started:
            stop(settings)
