"""Chat models behind one spec string: `local`, `local:0.5b`, `local:/path/model.gguf`,
`openai:MODEL` (any OpenAI-compatible endpoint) or `none` (retrieval only)."""

from __future__ import annotations

from typing import Callable

from ...errors import BackendError, UserError, one_line

SPECS = "local, local:1.5b, local:0.5b, local:/path/model.gguf, openai:MODEL or none"


def check_spec(spec: str) -> tuple[str, str]:
    kind, _, arg = spec.partition(":")
    if (kind == "none" and not arg) or kind == "local" or (kind == "openai" and arg):
        return kind, arg
    raise UserError(f"unknown --llm {spec!r}: use {SPECS}")


def check_model(spec: str, on_progress: Callable[[int, int], None] | None = None) -> None:
    """Everything `get_chat_model` could fail on before it loads anything: the spec, the
    local model file (assembled from its pieces on first use), an endpoint's settings."""
    kind, arg = check_spec(spec)
    if kind == "local":
        from .local import resolve_model

        resolve_model(arg, on_progress)
    elif kind == "openai":
        from ...config import llm_timeout, openai_endpoint

        openai_endpoint("openai")
        llm_timeout()


def get_chat_model(spec: str, on_progress: Callable[[int, int], None] | None = None, one_shot: bool = False):
    """A LangChain chat model, or None for retrieval-only answers; `one_shot` when the
    process answers once and exits (a local model then starts faster)."""
    kind, arg = check_spec(spec)
    if kind == "none":
        return None
    if kind == "local":
        # A running `assistant serve` for this model file answers with nothing to load.
        from .background import running
        from .local import local_chat_model, resolve_model
        from .openai import chat_openai

        found = running(resolve_model(arg, on_progress))
        if found is not None:
            return chat_openai("local", *found)
        return local_chat_model(arg, on_progress, one_shot=one_shot)
    from .openai import openai_chat_model

    return openai_chat_model(arg)


def prime(llm, system: str) -> None:
    """Warm a local model's cache with the system prompt every answer starts with."""
    from .local import server_for

    server = server_for(llm)
    if server is not None:
        server.prime(system)


def backend_error(exc: BaseException) -> BackendError | None:
    """A one-line BackendError for failures talking to a model endpoint, else None."""
    module = type(exc).__module__ or ""
    # langchain_openai re-raises openai's errors as its own subclasses of them.
    if not module.startswith(("openai", "httpx", "httpcore", "langchain_openai")):
        return None
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return BackendError("the LLM endpoint refused the API key (check OPENAI_API_KEY)")
    if isinstance(exc, openai.APITimeoutError):
        return BackendError("the LLM endpoint did not answer in time (ASSISTANT_LLM_TIMEOUT sets the limit)")
    if isinstance(exc, openai.NotFoundError):
        return BackendError(f"the LLM endpoint does not know this model or path: {_message(exc)}")
    if isinstance(exc, openai.APIStatusError):
        return BackendError(f"the LLM endpoint failed with HTTP {exc.status_code}: {_message(exc)}")
    root = _root_cause(exc)
    if isinstance(exc, openai.APIConnectionError) and type(root).__name__ != "RemoteProtocolError":
        return BackendError(f"cannot reach the LLM endpoint: {_message(root)}")
    # The connection dropped after the request went out, typically in the middle of a streamed answer.
    return BackendError(f"the LLM endpoint broke off the answer: {_message(root)}")


def _root_cause(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc


def _message(exc: BaseException) -> str:
    return one_line(exc, 200)
