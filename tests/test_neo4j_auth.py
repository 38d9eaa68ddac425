"""The embedded Neo4j has authentication on, with a generated password only its owner can read."""

from __future__ import annotations

import stat

import neo4j
import pytest
from typer.testing import CliRunner

from memcubedb.api.cli.main import app
from memcubedb.settings import Settings

pytestmark = pytest.mark.skipif(Settings().neo4j_uri is not None, reason="an external Neo4j is configured")


def _connect(settings: Settings, auth: tuple[str, str] | None) -> None:
    with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth) as driver:
        driver.verify_connectivity()


def test_unauthenticated_bolt_is_refused(neo4j_server: Settings) -> None:
    with pytest.raises(neo4j.exceptions.AuthError):
        _connect(neo4j_server, None)


def test_wrong_password_is_refused(neo4j_server: Settings) -> None:
    with pytest.raises(neo4j.exceptions.AuthError):
        _connect(neo4j_server, ("neo4j", "not-the-password"))


def test_generated_password_is_private_and_works(neo4j_server: Settings) -> None:
    path = neo4j_server.neo4j_password_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 32
    _connect(neo4j_server, neo4j_server.neo4j_auth)


def test_password_command_prints_it(neo4j_server: Settings) -> None:
    result = CliRunner().invoke(app, ["neo4j", "password"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == neo4j_server.neo4j_password_file.read_text().strip()
