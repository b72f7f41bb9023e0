"""Section e (local model prefill and decode throughput): how it is measured, its worker
("llm": the same prompt through the assistant's chat model and through an xllamacpp
Server driven in-process) and its part of bench.md.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from common import SEED_QUESTIONS, SEEDS, fmt, log, median, ratio, read_jsonl, rnd


def section_e(bench, entry: dict) -> None:
    """The local model's prefill/decode rates in the assistant against xllamacpp driven directly."""
    seeds_idx = bench.tmp / "idx-seeds"
    if not (seeds_idx / "chroma").exists():
        bench.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
    question = next(q["question"] for q in read_jsonl(SEED_QUESTIONS) if not q.get("after"))
    result, _ = bench.worker("llm", {"index_dir": str(seeds_idx), "question": question, "runs": bench.cfg["llm_runs"],
                                     "max_tokens": bench.cfg["llm_max_tokens"]}, timeout=3 * 3600)
    result["process_wall_s"] = rnd(result["process_wall_s"])
    result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
    entry.update(result)
    log(f"   in-assistant: {result.get('assistant_summary')}")
    log(f"   assistant's server via OpenAI client: {result.get('http_summary')} {result.get('http_error') or ''}")
    log(f"   direct:       {result.get('direct_summary')}")


def worker_llm(job: dict) -> dict:
    """Prefill/decode tokens/s of the same prompt through the assistant's chat model (LangChain ChatOpenAI ->
    HTTP -> xllamacpp server) and through an xllamacpp Server driven directly in-process."""
    from assistant.providers.llms import get_chat_model

    llm = get_chat_model("local")
    max_tokens = job.get("max_tokens") or getattr(llm, "max_tokens", None) or 320
    messages, prompt_source = assistant_prompt(job, llm)
    role = {"system": "system", "human": "user", "ai": "assistant"}
    base = [{"role": role.get(m.type, "user"), "content": m.content} for m in messages]

    direct_server = direct_xllamacpp_server()

    def variant(i):
        # A different first line per run: no prompt-cache reuse between runs (llama.cpp reuses common prefixes).
        msgs = [dict(m) for m in base]
        msgs[0]["content"] = f"(benchmark run {i})\n" + msgs[0]["content"]
        return msgs

    # Only override the chat model's own max_tokens when a shorter generation was asked for (--quick).
    extra = {} if max_tokens == getattr(llm, "max_tokens", None) else {"max_tokens": max_tokens}

    def via_assistant(i):
        started = time.perf_counter()
        first = last = None
        usage = None
        pieces = 0
        for chunk in llm.stream(variant(i), stream_usage=True, **extra):
            now = time.perf_counter()
            if chunk.content:
                pieces += 1
                first = first or now
                last = now
            if getattr(chunk, "usage_metadata", None):
                usage = chunk.usage_metadata
        prompt_tokens = (usage or {}).get("input_tokens")
        completion_tokens = (usage or {}).get("output_tokens") or pieces
        return timing_row(started, first, last, prompt_tokens, completion_tokens, pieces)

    client = getattr(llm, "root_client", None)  # the OpenAI client inside the chat model: HTTP without LangChain

    def via_http(i):
        started = time.perf_counter()
        first = last = None
        usage, timings, pieces = None, None, 0
        stream = client.chat.completions.create(
            model=getattr(llm, "model_name", "local"), messages=variant(i), max_completion_tokens=max_tokens,
            temperature=0, stream=True, stream_options={"include_usage": True},
            # Same server and same messages as the in-assistant run just before: don't reuse its cached prompt.
            extra_body={"cache_prompt": False})
        for chunk in stream:
            now = time.perf_counter()
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                pieces += 1
                first = first or now
                last = now
            usage = chunk.usage or usage
            timings = (getattr(chunk, "model_extra", None) or {}).get("timings") or timings
        row = timing_row(started, first, last, getattr(usage, "prompt_tokens", None),
                         getattr(usage, "completion_tokens", None) or pieces, pieces)
        add_server_timings(row, timings)
        return row

    def via_direct(i):
        request = {"messages": variant(i), "max_tokens": max_tokens, "temperature": 0, "stream": True,
                   "stream_options": {"include_usage": True}}
        chunks = []
        started = time.perf_counter()

        def callback(chunk):
            chunks.append((time.perf_counter(), chunk))

        direct_server.handle_chat_completions(request, callback)
        first = last = None
        usage, timings, pieces = None, None, 0
        for when, chunk in chunks:
            if isinstance(chunk, str):
                chunk = json.loads(chunk)
            for choice in chunk.get("choices") or []:
                if (choice.get("delta") or {}).get("content"):
                    pieces += 1
                    first = first or when
                    last = when
            usage = chunk.get("usage") or usage
            timings = chunk.get("timings") or timings
        row = timing_row(started, first, last, (usage or {}).get("prompt_tokens"),
                         (usage or {}).get("completion_tokens") or pieces, pieces)
        add_server_timings(row, timings)
        return row

    via_assistant(-1)  # warm-up of both servers (first touch of the weights), not counted
    via_direct(-1)
    assistant_runs, http_runs, direct_runs, http_error = [], [], [], None
    for i in range(int(job["runs"])):  # interleaved, so background load drifts hit every path alike
        assistant_runs.append(via_assistant(i))
        if client is not None and http_error is None:
            try:
                http_runs.append(via_http(i))
            except Exception as exc:  # a diagnostic only
                http_error = f"{type(exc).__name__}: {exc}"
        direct_runs.append(via_direct(i))

    def summary(rows):
        keys = ["prefill_per_s", "decode_per_s", "first_token_s", "total_s", "prompt_tokens", "completion_tokens",
                "server_prompt_per_s", "server_decode_per_s"]
        return {k: rnd(median([r.get(k) for r in rows]), 2) for k in keys if any(r.get(k) is not None for r in rows)}

    a, h, d = summary(assistant_runs), summary(http_runs), summary(direct_runs)
    return {
        "http_runs": http_runs, "http_summary": h, "http_error": http_error,
        "ratio_assistant_server_vs_direct_server_decode": rnd(ratio(h.get("server_decode_per_s"), d.get("server_decode_per_s")), 3),
        "model": "local (default)", "question": job["question"], "prompt_source": prompt_source, "max_tokens": max_tokens,
        "prompt_tokens": a.get("prompt_tokens"),
        "assistant_runs": assistant_runs, "direct_runs": direct_runs, "assistant_summary": a, "direct_summary": d,
        "ratio_decode_vs_direct_server": rnd(ratio(a.get("decode_per_s"), d.get("server_decode_per_s")), 3),
        "ratio_decode_vs_direct_client": rnd(ratio(a.get("decode_per_s"), d.get("decode_per_s")), 3),
        "ratio_prefill_vs_direct_server": rnd(ratio(a.get("prefill_per_s"), d.get("server_prompt_per_s")), 3),
        "ratio_prefill_vs_direct_client": rnd(ratio(a.get("prefill_per_s"), d.get("prefill_per_s")), 3),
    }


def add_server_timings(row: dict, timings: dict | None) -> None:
    """llama.cpp's own view of one request (the `timings` of the last streamed chunk)."""
    if timings:
        row["server_prompt_per_s"] = round(timings.get("prompt_per_second", 0), 2)
        row["server_decode_per_s"] = round(timings.get("predicted_per_second", 0), 2)
        row["server_prompt_n"] = timings.get("prompt_n")
        row["server_cache_n"] = timings.get("cache_n")


def timing_row(started, first, last, prompt_tokens, completion_tokens, pieces) -> dict:
    end = last or time.perf_counter()
    row = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "pieces": pieces,
           "first_token_s": round(first - started, 3) if first else None, "total_s": round(end - started, 3)}
    if first and prompt_tokens:
        row["prefill_per_s"] = round(prompt_tokens / (first - started), 2)
    if first and last and completion_tokens and completion_tokens > 1 and last > first:
        row["decode_per_s"] = round((completion_tokens - 1) / (last - first), 2)
    return row


def assistant_prompt(job: dict, llm) -> tuple[list, str]:
    """The messages `assistant ask` sends for a seed question: the Answerer's own prompt template filled with
    focused excerpts from an index of seeds/. Falls back to the prompt files and plain passages if the
    chain's shape changed; the second value says which."""
    from datetime import date

    from assistant.config import Settings
    from assistant.retrieve.retriever import Retriever

    question = job["question"]
    retriever = Retriever(Settings(index_dir=Path(job["index_dir"])))
    passages = retriever.search(question, k=8)
    try:
        from assistant.answer.chain import Answerer
        from assistant.answer.prompts import format_excerpts
        from assistant.retrieve.excerpts import focus, group

        answerer = Answerer(retriever, llm, k=8)
        excerpts = group(passages)
        focus(question, excerpts, retriever.embeddings)
        variables = {"today": date.today().isoformat(), "question": question, "passages": format_excerpts(excerpts)}
        return answerer.model_chain("generate").first.invoke(variables).to_messages(), "Answerer prompt with focused excerpts"
    except Exception as exc:
        from langchain_core.prompts import ChatPromptTemplate

        from assistant.answer.prompts import answer_system, load

        template = ChatPromptTemplate.from_messages([("system", answer_system()), ("human", load("answer_user.txt"))])
        text = "\n\n".join(f"[{n}] {p.title}\n{p.text}" for n, p in enumerate(passages, start=1))
        variables = {"today": date.today().isoformat(), "question": question, "passages": text}
        return template.invoke(variables).to_messages(), f"prompt files with plain passages (chain route failed: {exc})"


def direct_xllamacpp_server():
    """An xllamacpp Server with the assistant's own parameters (LocalServer), used without HTTP."""
    from assistant.providers.llms import local

    path = local.resolve_model("")
    try:
        return local.LocalServer(path).server  # same CommonParams as the assistant's; a separate instance
    except Exception:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(path)
        params.n_ctx = getattr(local, "CONTEXT_TOKENS", 4096)
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.api_keys = [secrets.token_urlsafe(24)]
        params.cache_ram_mib = 256
        params.verbosity = -1
        return xlc.Server(params)


def markdown_e(e: dict, results: dict) -> list[str]:
    """Section e's part of bench.md, after its heading; nothing when the worker gave no numbers."""
    if "assistant_summary" not in e:
        return []
    a_, h_, d_ = e.get("assistant_summary", {}), e.get("http_summary") or {}, e.get("direct_summary", {})

    def row(label, m, server=False):
        if server:
            return f"| {label} | {fmt(m.get('server_prompt_per_s'))} | {fmt(m.get('server_decode_per_s'))} | – | – | – |"
        return (f"| {label} | {fmt(m.get('prefill_per_s'))} | {fmt(m.get('decode_per_s'))} | {fmt(m.get('first_token_s'))} | "
                f"{fmt(m.get('total_s'))} | {fmt(m.get('completion_tokens'), '', 0)} |")

    lines = [
        "",
        f"The same messages ({e.get('prompt_source')} for the seed question “{e.get('question')}”, "
        "against an index of seeds/; "
        f"{fmt(e.get('prompt_tokens'), '', 0)} prompt tokens), max_tokens {e.get('max_tokens')}, temperature 0, each run "
        "with a different first line so llama.cpp cannot reuse a cached prefix between runs; one warm-up per server; "
        "runs interleaved. Client-side rates: prefill = prompt tokens / time to the first content chunk, decode = "
        "(completion tokens − 1) / (last chunk − first chunk), token counts from the usage the server reports. "
        "Server-side rates: llama.cpp's `timings` (prompt_per_second / predicted_per_second) in the last streamed chunk.",
        "",
        "- **in-assistant**: `get_chat_model('local')` — LangChain ChatOpenAI streaming (`stream_usage=True`) over HTTP "
        "to the xllamacpp server the assistant starts on 127.0.0.1.",
        "- **assistant's server, OpenAI client**: the same server and HTTP, through the chat model's own OpenAI client "
        "without LangChain, with `cache_prompt: false` (it follows the in-assistant run with the same messages); shows "
        "whether a gap is LangChain's or the server's.",
        "- **direct**: a second xllamacpp `Server` built with the assistant's own `LocalServer` parameters, driven "
        "in-process by `handle_chat_completions` (streaming callback, no HTTP).",
        "",
        "| path | prefill tok/s | decode tok/s | first token s | total s | completion tokens |",
        "|---|---|---|---|---|---|",
        row("in-assistant (LangChain → HTTP)", a_),
        row("assistant's server, OpenAI client (client-side)", h_),
        row("assistant's server (server timings)", h_, server=True),
        row("direct xllamacpp (client-side)", d_),
        row("direct xllamacpp (server timings)", d_, server=True),
        "",
        f"Ratios in-assistant / direct: decode **{fmt(e.get('ratio_decode_vs_direct_server'), '×', 3)}** vs the direct "
        f"server's timings ({fmt(e.get('ratio_decode_vs_direct_client'), '×', 3)} vs direct client-side; target ≥ 0.9), "
        f"prefill {fmt(e.get('ratio_prefill_vs_direct_server'), '×', 3)} "
        f"({fmt(e.get('ratio_prefill_vs_direct_client'), '×', 3)} client-side). The assistant's server itself decodes at "
        f"{fmt(e.get('ratio_assistant_server_vs_direct_server_decode'), '×', 3)} the direct server's rate (same "
        f"llama.cpp, so ≈ 1 unless its parameters differ). Medians of {len(e.get('assistant_runs', []))} runs."
        + (f" OpenAI-client path failed: `{e['http_error']}`." if e.get("http_error") else ""),
    ]
    return lines
