"""One settings object for MemCubeDB, read from environment variables prefixed ``MEMCUBEDB_``.

Nested groups use ``__`` as the delimiter, e.g. ``MEMCUBEDB_NEO4J__BOLT_PORT=7688``.
The standard Neo4j variables ``NEO4J_URI``, ``NEO4J_USER`` and ``NEO4J_PASSWORD`` are also
honoured: when a URI is set, that Neo4j (Docker, Aura, a cluster) is used instead of the
embedded default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from memcubedb.config.api import ApiConfig
from memcubedb.config.chat import ChatConfig
from memcubedb.config.embedding import EmbeddingConfig
from memcubedb.config.extraction import ExtractionConfig
from memcubedb.config.scheduler import SchedulerConfig
from memcubedb.config.telemetry import TelemetryConfig


class Neo4jSettings(BaseModel):
    """Where the graph lives and how the embedded-default server is run."""

    host: str = "127.0.0.1"
    scheme: Literal["bolt", "neo4j"] = Field(
        default="bolt", description="URI scheme for the embedded server: `neo4j` uses the routing driver, as a cluster"
    )
    bolt_port: int = Field(default=7687, ge=1, le=65535)
    database: str = "neo4j"
    heap_mb: int = Field(default=1024, ge=256, description="JVM heap of the embedded server, MiB")
    pagecache_mb: int = Field(default=256, ge=16, description="Neo4j page cache, MiB")
    tx_timeout_s: int = Field(default=120, ge=1, description="server-side transaction timeout, seconds")
    start_timeout_s: float = Field(default=120.0, gt=0, description="how long `start` waits for Bolt, s")


class Settings(BaseSettings):
    """Every configurable value of MemCubeDB.

    Attributes:
        data_dir: root of everything the project writes (Neo4j store, vault, caches).
        neo4j_uri / neo4j_user / neo4j_password: an external Neo4j; ``None`` means the
            embedded default started by ``memcubedb neo4j start``.
        embedding_dim: dimension of the MemCube embedding vectors (vector index size).
        embedding: which embedder the API's search uses (``MEMCUBEDB_EMBEDDING__PROVIDER=openai``,
            ``…__BASE_URL``, ``…__MODEL``, ``…__API_KEY`` for an OpenAI-compatible endpoint).
        extraction: MemReader settings (``MEMCUBEDB_EXTRACTION__…``).
        scheduler: MemScheduler settings (``MEMCUBEDB_SCHEDULER__…``).
        api: knowledge-base API settings (``MEMCUBEDB_API__…``).
        chat: memory-augmented chat settings (``MEMCUBEDB_CHAT__…``).
        telemetry: metrics, traces and logs (``MEMCUBEDB_TELEMETRY__…``).
    """

    model_config = SettingsConfigDict(
        env_prefix="MEMCUBEDB_", env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("memcubedb")))
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("MEMCUBEDB_NEO4J_URI", "NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("MEMCUBEDB_NEO4J_USER", "NEO4J_USER"))
    neo4j_password: str = Field(
        default="", validation_alias=AliasChoices("MEMCUBEDB_NEO4J_PASSWORD", "NEO4J_PASSWORD")
    )
    embedding_dim: int = Field(default=384, ge=2, le=4096)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    extraction: ExtractionConfig = Field(default_factory=ExtractionConfig)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    chat: ChatConfig = Field(default_factory=ChatConfig)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)

    @property
    def embedded(self) -> bool:
        """True when the project's own Neo4j server is used (no external URI set)."""
        return self.neo4j_uri is None

    @property
    def neo4j_password_file(self) -> Path:
        """Where the embedded Neo4j's generated password is kept (mode 0600, beside its store)."""
        return self.data_dir / "neo4j-password"

    @property
    def neo4j_auth(self) -> tuple[str, str] | None:
        """The Bolt credentials: ``NEO4J_USER``/``NEO4J_PASSWORD`` when a password is set, else (the
        embedded default) ``neo4j`` with the generated password of :attr:`neo4j_password_file`;
        ``None`` only when neither exists (an external Neo4j with authentication off)."""
        if self.neo4j_password:
            return (self.neo4j_user, self.neo4j_password)
        if self.embedded and self.neo4j_password_file.exists():
            return ("neo4j", self.neo4j_password_file.read_text().strip())
        return None

    @property
    def bolt_uri(self) -> str:
        """The URI the driver connects to: ``NEO4J_URI`` (``bolt://``, or ``neo4j://`` / ``neo4j+s://``
        for a cluster or Aura: routing driver), else the embedded server with ``neo4j.scheme``."""
        return self.neo4j_uri or f"{self.neo4j.scheme}://{self.neo4j.host}:{self.neo4j.bolt_port}"

    @property
    def neo4j_home(self) -> Path:
        """Home directory of the embedded Neo4j (its data/ and logs/ live below)."""
        return self.data_dir / "neo4j"

    @property
    def vault_dir(self) -> Path:
        """Root of the MemVault (tensors and adapters)."""
        return self.data_dir / "vault"
