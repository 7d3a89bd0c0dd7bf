"""The chat model, when one is configured: any OpenAI-compatible endpoint, or Ollama directly."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from core.settings import Settings


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """``None`` when no LLM is configured: the offline planner answers alone."""
    if not settings.llm_base_url:
        return None
    if settings.llm_provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(base_url=settings.llm_base_url, model=settings.llm_model or "qwen2.5", temperature=0,
                          num_predict=settings.llm_max_tokens, client_kwargs={"timeout": settings.llm_timeout_s})  # fmt: skip
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model or "default",
                      api_key=settings.llm_api_key or "not-needed", temperature=0,
                      timeout=settings.llm_timeout_s, max_retries=1, max_tokens=settings.llm_max_tokens)  # fmt: skip
