"""Fixtures of the chat tests: a small random Llama saved as a local model, the app served on
loopback with it as the chat model, and builders of each memory type for a principal.

Load with ``pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]``. The model is a
randomly initialised Llama (hidden 64, 2 layers, weights std 0.3, float32) with the offline
WordPiece tokenizer and a ChatML template, saved with ``save_pretrained`` and loaded by the
server through ``load_lm`` like any local Hugging Face model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from memcubedb.api.app import create_app
from memcubedb.config.chat import ChatConfig
from memcubedb.config.scheduler import LMConfig, LoRAConfig
from memcubedb.cube import Descriptive, Governance, LoRAAdapterPayload, MemCube, MemoryType
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.permissions import Role
from memcubedb.graph.records import CubeWrite, stable_id
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM, load_lm, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.lora import encode_facts, save_adapter
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from memcubedb.settings import Settings
from tests.factories import ACTIVITY, AGENT, cube_write
from tests.support.loopback import serve


@pytest.fixture(scope="session")
def tiny_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small random Llama and its tokenizer saved as a local Hugging Face model directory."""
    path = tmp_path_factory.mktemp("chat-model") / "tiny-llama"
    lm = tiny_random_llama(offline_tokenizer(), initializer_range=0.3, seed=0)
    lm.model.save_pretrained(path)
    lm.tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def chat_lm(tiny_chat_model: Path) -> LoadedLM:
    """The same model loaded as the server loads it (same identity, so its templates fit)."""
    return load_lm(LMConfig(name_or_path=str(tiny_chat_model)))


@pytest.fixture
def chat_settings(api_settings: Settings, tiny_chat_model: Path) -> Settings:
    """Test settings with the tiny model as the scheduler's (and so the chat's) LM."""
    lm = api_settings.scheduler.lm.model_copy(update={"name_or_path": str(tiny_chat_model)})
    return api_settings.model_copy(
        update={"scheduler": api_settings.scheduler.model_copy(update={"lm": lm}),
                "chat": ChatConfig(max_new_tokens=64, max_input_tokens=1024)}
    )  # fmt: skip


@pytest.fixture
def serve_chat(chat_settings: Settings, store: GraphStore) -> Iterator[Callable[..., tuple[str, FastAPI]]]:
    """``serve_chat(**chat_overrides)`` starts the app on loopback with those ``chat`` settings;
    returns its base URL and the app (every server started is stopped after the test)."""
    stack: list[Any] = []

    def start(**overrides: Any) -> tuple[str, FastAPI]:
        settings = chat_settings.model_copy(update={"chat": chat_settings.chat.model_copy(update=overrides)})
        app = create_app(settings)
        server = serve(app)
        url = server.__enter__()
        stack.append(server)
        return url, app

    yield start
    for server in reversed(stack):
        server.__exit__(None, None, None)


@pytest.fixture
def memories(store: GraphStore, chat_settings: Settings, chat_lm: LoadedLM) -> Any:
    """Builders of memories for any principal: plaintext cubes, KV templates, LoRA adapters."""
    vault = MemVault(chat_settings.vault_dir)
    scheduler = MemScheduler(store, vault, chat_settings.scheduler, lambda: chat_lm)

    class Memories:
        def key(self, principal: str, role: Role = Role.WRITER) -> str:
            return ApiKeys(store).create(principal, role, name="chat tests")[0]

        def plaintext(self, principal: str, text: str) -> str:
            return store.create_cube(principal, cube_write(text, owner=principal, uri=f"test://{principal}")).id

        def template(self, principal: str, text: str, score: float = 0.9) -> str:
            source = store.create_cube(principal, cube_write(text, owner=principal, uri=f"test://{principal}/kv"))
            template_id = scheduler.promote(principal, source.id, score)
            store.driver.execute_query("MATCH (c:MemCube {id: $id}) SET c.score = $score", id=template_id,
                                       score=score, database_=store.db)  # fmt: skip
            return template_id

        def adapter(self, principal: str, facts: list[tuple[str, str, str]], config: LoRAConfig) -> str:
            adapter = encode_facts(chat_lm, facts, config).adapter
            entry = save_adapter(vault, adapter)
            cube = MemCube(
                descriptive=Descriptive(id=stable_id("parametric", entry.digest), memory_type=MemoryType.PARAMETRIC,
                                        semantic_type="lora_adapter"),
                governance=Governance(owner=principal),
                payload=LoRAAdapterPayload(base_model=chat_lm.identity.model_name, rank=adapter.rank,
                                           sha256=entry.digest),
            )  # fmt: skip
            store.write_cubes([CubeWrite(cube=cube, activity=ACTIVITY, agent=AGENT)])
            return cube.id

    return Memories()
