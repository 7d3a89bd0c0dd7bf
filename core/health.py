"""Names of the backends in use, as ``/healthz`` and ``yiwang graph stats`` report them."""

from __future__ import annotations

from core.settings import Settings


def backend_names(settings: Settings, graph_backend: str) -> dict[str, str]:
    db = settings.db_url.split(":", 1)[0].split("+", 1)[0] if settings.db_url else "sqlite"
    if settings.llm_base_url:
        kind = "ollama" if settings.llm_provider == "ollama" else "openai-compatible"
        llm = f"{kind}:{settings.llm_model or 'default'}"
    else:
        llm = "offline-planner"
    return {"graph": graph_backend, "db": db, "llm": llm}
