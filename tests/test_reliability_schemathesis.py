"""Schemathesis against the API's OpenAPI document, over real HTTP to uvicorn on loopback, with an
admin API key (so every operation is reachable): no request may get a 5xx, and every 4xx must be
RFC 9457 problem+json.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from memcubedb.api.app import create_app
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama
from memcubedb.settings import Settings
from tests.api_fixtures import API_CONFIG
from tests.conftest import WIPE
from tests.factories import cube_write
from tests.support.loopback import serve

SCHEMA = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
"""The app's OpenAPI document (building the app connects to nothing)."""
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
"""Cases per operation and mode mix: 10 in CI; the long variant sets ``SCHEMATHESIS_MAX_EXAMPLES``."""
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
"""Valid data, and data that breaks the schema (which must be answered 4xx, never 5xx)."""
STATUSES: Counter[int] = Counter()
"""Responses by HTTP status over the module, printed when the server stops."""


@pytest.fixture(scope="module")
def api_server(
    _session_store: GraphStore, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """uvicorn on 127.0.0.1 for the whole module, on a freshly wiped graph with a few memories;
    yields ``(base URL, admin key)`` and stops the server at the end. The chat answers with a small
    random Llama saved as a local model (``tests/chat_fixtures.py``), in at most 16 tokens."""
    with _session_store.driver.session(database=_session_store.db) as s:
        s.run(WIPE).consume()
    _session_store.migrate()
    _session_store.write_cubes([cube_write(f"Memo {i}: Ana met Bo in Kyoto.", owner="root", uri=f"st://{i}",
                                           facts=[("Ana", "met", "Bo")]) for i in range(5)])
    key = ApiKeys(_session_store).create("root", Role.ADMIN, name="schemathesis")[0]
    model = tmp_path_factory.mktemp("schemathesis-chat") / "tiny-llama"
    lm = tiny_random_llama(offline_tokenizer(), initializer_range=0.3, seed=0)
    lm.model.save_pretrained(model)
    lm.tokenizer.save_pretrained(model)
    scheduler = settings.scheduler.model_copy(
        update={"lm": settings.scheduler.lm.model_copy(update={"name_or_path": str(model)})}
    )
    chat = settings.chat.model_copy(update={"max_new_tokens": 16})
    app = create_app(settings.model_copy(update={"api": API_CONFIG, "scheduler": scheduler, "chat": chat}))
    with serve(app) as url:
        yield url, key
    print(f"schemathesis: {sum(STATUSES.values())} requests over {len(OPERATIONS)} operations, "
          f"statuses {dict(sorted(STATUSES.items()))}")


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(label: str, api_server: tuple[str, str]) -> None:
    """Schemathesis' pytest loader needs a pytest internal that pytest 9 removed, so each operation's
    case strategy is driven by hypothesis directly; the checks are schemathesis' own."""
    base, key = api_server
    operation = OPERATIONS[label]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of([operation.as_strategy(generation_mode=mode) for mode in MODES]))
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120)
        STATUSES[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])
        if 400 <= response.status_code < 500:
            content_type = response.headers.get("content-type", [""])[0]  # schemathesis: header -> list of values
            assert content_type.startswith("application/problem+json"), response.text[:300]

    check()
