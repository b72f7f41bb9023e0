"""Section f (speculative decoding, and generated against kept tokens): how it is measured,
its worker ("spec") and its part of bench.md.

The answer prompts are the assistant's own: each question goes through the real chain
(retrieval, checks before the model, excerpts focused on the question) with a chat model
that only records what it is sent. The same prompts then go, over HTTP and streamed as the
assistant streams them, to one `LocalServer` per speculation setting, all in one process
and in turn for each question (the order rotates), so that the background load of a shared
machine hits every setting alike. Per answer, llama.cpp's own `timings` (decode tokens/s,
drafted and accepted tokens) and `/metrics` (forward passes of the model) are kept with
the text; answers are compared word for word with those of the setting without drafts.

Generated against kept: for the setting without drafts, the tokens the model wrote (a
second look included) against the tokens of the answer shown after the checks, and where
`AnswerEnd` (assistant/answer/streaming.py) would have stopped the model. The answer shown
comes from replaying the recorded text through the real chain, once whole and once cut
where generation would have stopped; the two must be the same.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from common import FULL_INDEX, QUESTIONS, SEED_QUESTIONS, SEEDS, fmt, load_now, log, median, ratio, read_jsonl, rnd

CONFIGS = ["off", "ngram", "draft", "ngram+draft"]  # assistant.providers.llms.local.Speculation.parse
RTQA_QUESTIONS = 40


def rtqa_subset(n: int = RTQA_QUESTIONS) -> list[dict]:
    """A fixed subset of rtqa-dev: `n` questions spread evenly over the file (rows i*111//n)."""
    rows = read_jsonl(QUESTIONS)
    return [rows[i * len(rows) // n] for i in range(min(n, len(rows)))]


def seed_questions(follow_ups: bool = False) -> list[dict]:
    return [q for q in read_jsonl(SEED_QUESTIONS) if follow_ups or not q.get("after")]


def indexes(bench) -> tuple[Path, Path | None]:
    """An index of seeds/ (built once per run) and a private copy of the rtqa-dev index
    (FULL_INDEX is only ever read: opening an index may write to it)."""
    seeds_idx = bench.tmp / "idx-seeds"
    if not (seeds_idx / "chroma").exists():
        bench.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
    rtqa = bench.tmp / "idx-rtqa"
    if not (rtqa / "chroma").exists():
        if not (FULL_INDEX / "chroma").exists():
            return seeds_idx, None
        shutil.copytree(FULL_INDEX, rtqa)
    return seeds_idx, rtqa


def section_f(bench, entry: dict) -> None:
    """Speculative decoding settings side by side on the seed questions and the rtqa-dev subset."""
    seeds_idx, rtqa_idx = indexes(bench)
    questions = [dict(q, set="seeds", index_dir=str(seeds_idx)) for q in seed_questions()]
    if rtqa_idx is not None:
        questions += [dict(q, set="rtqa-dev", index_dir=str(rtqa_idx)) for q in rtqa_subset(bench.cfg.get("spec_rtqa", RTQA_QUESTIONS))]
    questions = questions[: bench.cfg.get("spec_questions") or None]
    result, _ = bench.worker("spec", {"questions": questions, "configs": bench.cfg.get("spec_configs", CONFIGS),
                                      "max_tokens": bench.cfg.get("llm_max_tokens")}, timeout=24 * 3600)
    entry.update(result)
    for name, s in result.get("summary", {}).items():
        log(f"   {name}: decode {s.get('decode_per_s_p50')} tok/s ({s.get('decode_ratio_p50')}x), accepted "
            f"{s.get('accepted_rate')}, identical {s.get('identical')}/{s.get('answers')}")


# --------------------------------------------------------------------------- worker

def capture_prompts(questions: list[dict]) -> list[dict]:
    """The messages the assistant sends the model for each question (and for its second look,
    had the model refused), from the real chain with a chat model that records them."""
    from datetime import date

    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    from assistant.answer.chain import Answerer
    from assistant.answer.refusals import REFUSAL

    class Recorder(BaseChatModel):
        calls: list = []

        @property
        def _llm_type(self) -> str:
            return "recorder"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            self.calls.append(messages)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=REFUSAL))])

    role = {"system": "system", "human": "user", "ai": "assistant"}
    out = []
    for q in questions:
        retriever = _retriever(q["index_dir"])
        recorder = Recorder(calls=[])
        as_of = date.fromisoformat(q["asked_on"]) if q.get("asked_on") else None
        answer = Answerer(retriever, recorder).ask(q["question"], as_of=as_of)
        prompts = [[{"role": role.get(m.type, "user"), "content": m.content} for m in call] for call in recorder.calls]
        out.append({**q, "messages": prompts[0] if prompts else None, "second_look": prompts[1] if len(prompts) > 1 else None,
                    "refused_before_model": None if prompts else (answer.refused_by.value if answer.refused_by else "no passage")})
    return out


def replay(q: dict, texts: list[str]) -> dict:
    """The answer the assistant shows when the model writes `texts` (the answer, then the
    second look's), through the real chain and its checks."""
    from datetime import date

    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    from assistant.answer.chain import Answerer
    from assistant.answer.refusals import REFUSAL

    class Replay(BaseChatModel):
        replies: list = []

        @property
        def _llm_type(self) -> str:
            return "replay"

        def _next(self) -> str:
            return self.replies.pop(0) if self.replies else REFUSAL

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next()))])

        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            yield ChatGenerationChunk(message=AIMessageChunk(content=self._next()))  # whole: no stop inside

    as_of = date.fromisoformat(q["asked_on"]) if q.get("asked_on") else None
    answer = Answerer(_retriever(q["index_dir"]), Replay(replies=list(texts))).ask(q["question"], as_of=as_of)
    return {"answer": answer.answer, "refused": answer.refused, "refused_by": answer.refused_by.value if answer.refused_by else None,
            "citations": [c.n for c in answer.citations]}


_RETRIEVERS: dict = {}


def _retriever(index_dir: str):
    from assistant.config import Settings
    from assistant.retrieve.retriever import Retriever

    if index_dir not in _RETRIEVERS:
        _RETRIEVERS[index_dir] = Retriever(Settings(index_dir=Path(index_dir)))
    return _RETRIEVERS[index_dir]


def stream_once(server, messages: list[dict], max_tokens: int) -> dict:
    """One streamed chat completion as the assistant sends it; llama.cpp's timings and the
    change in its /metrics counters."""
    import httpx

    from assistant.providers.llms.openai import safe_messages

    body = safe_messages({"model": "local", "messages": [dict(m) for m in messages], "temperature": 0, "stream": True,
                          "stream_options": {"include_usage": True}, "max_completion_tokens": max_tokens})
    headers = {"Authorization": f"Bearer {server.api_key}"}
    before = metrics(server)
    load = load_now()
    pieces, times, timings, usage = [], [], None, None
    started = time.perf_counter()
    with httpx.Client(timeout=3600) as client, client.stream("POST", f"{server.base_url}/chat/completions",
                                                            json=body, headers=headers) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line[6:].strip() == "[DONE]":
                continue
            chunk = json.loads(line[6:])
            for choice in chunk.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    pieces.append(piece)
                    times.append(time.perf_counter() - started)
            timings = chunk.get("timings") or timings
            usage = chunk.get("usage") or usage
    total = time.perf_counter() - started
    after = metrics(server)
    t = timings or {}
    return {
        "text": "".join(pieces), "pieces": pieces, "first_token_s": rnd(times[0] if times else None, 3), "total_s": rnd(total, 3),
        "prompt_n": t.get("prompt_n"), "cache_n": t.get("cache_n"), "prompt_ms": rnd(t.get("prompt_ms")),
        "prefill_per_s": rnd(t.get("prompt_per_second")), "predicted_n": t.get("predicted_n"),
        "predicted_ms": rnd(t.get("predicted_ms")), "decode_per_s": rnd(t.get("predicted_per_second"), 3),
        "draft_n": t.get("draft_n", 0), "draft_accepted": t.get("draft_n_accepted", 0),
        "completion_tokens": (usage or {}).get("completion_tokens"),
        "forward_passes": delta(before, after, "llamacpp:n_decode_total"),
        "load": load,
    }


def metrics(server) -> dict:
    """llama.cpp's /metrics counters (LocalServer turns the endpoint on)."""
    import httpx

    try:
        text = httpx.get(f"{server.server.listening_address}/metrics", timeout=60,
                         headers={"Authorization": f"Bearer {server.api_key}"}).text
    except Exception:
        return {}
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and " " in line:
            name, value = line.rsplit(" ", 1)
            try:
                values[name] = float(value)
            except ValueError:
                pass
    return values


def delta(before: dict, after: dict, key: str):
    return after[key] - before[key] if key in before and key in after else None


def token_count(server, text: str) -> int:
    import httpx

    response = httpx.post(f"{server.server.listening_address}/tokenize", json={"content": text}, timeout=60,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    return len(response.json().get("tokens", []))


def worker_spec(job: dict) -> dict:
    from assistant.providers.llms.local import LocalServer, Speculation, resolve_model
    from assistant.providers.llms.openai import MAX_TOKENS

    max_tokens = job.get("max_tokens") or MAX_TOKENS
    started = time.perf_counter()
    prompts = capture_prompts(job["questions"])
    capture_s = time.perf_counter() - started
    asked = [q for q in prompts if q["messages"]]
    log(f"   prompts: {len(asked)} of {len(prompts)} questions reach the model ({capture_s:.0f} s)")
    path = resolve_model("")
    servers, load_s = {}, {}
    for name in job["configs"]:
        started = time.perf_counter()
        servers[name] = LocalServer(path, speculate=Speculation.parse(name))
        load_s[name] = rnd(time.perf_counter() - started)
    for name, server in servers.items():  # one untimed answer each: weights touched, caches warm
        stream_once(server, [{"role": "user", "content": f"Warm-up for {name}. Say OK."}], 8)
    runs: dict[str, dict[str, dict]] = {name: {} for name in servers}
    names = list(servers)
    for i, q in enumerate(asked):
        order = names[i % len(names):] + names[: i % len(names)]  # rotated: no setting always runs first
        for name in order:
            run = stream_once(servers[name], q["messages"], max_tokens)
            runs[name][q["id"]] = run
            log(f"   {q['id']} {name}: {run['predicted_n']} tokens at {run['decode_per_s']} tok/s, "
                f"{run['draft_accepted']}/{run['draft_n']} drafted accepted, load {run['load'][0] if run['load'] else '?'}")
    base = names[0]
    kept = generated_vs_kept(asked, runs[base], servers[base], max_tokens)
    from assistant.providers.llms.local import speculation

    return {
        "default": next((n for n in names if str(servers[n].speculation) == str(speculation())), None),
        "questions": [{k: q.get(k) for k in ("id", "set", "question", "asked_on", "refused_before_model")} for q in prompts],
        "configs": {name: str(servers[name].speculation) for name in names}, "server_load_s": load_s,
        "max_tokens": max_tokens, "capture_s": rnd(capture_s), "runs": strip_pieces(runs),
        "summary": summarise(asked, runs, base), "kept": kept,
    }


def strip_pieces(runs: dict) -> dict:
    return {name: {qid: {k: v for k, v in run.items() if k != "pieces"} for qid, run in by_q.items()} for name, by_q in runs.items()}


def summarise(asked: list[dict], runs: dict, base: str) -> dict:
    out = {}
    for name, by_q in runs.items():
        rows = [by_q[q["id"]] for q in asked if q["id"] in by_q]
        pairs = [(r, runs[base][qid]) for qid, r in by_q.items() if qid in runs[base]]
        drafted = sum(r["draft_n"] or 0 for r in rows)
        accepted = sum(r["draft_accepted"] or 0 for r in rows)
        tokens = sum(r["predicted_n"] or 0 for r in rows)
        passes = [r["forward_passes"] for r in rows if r.get("forward_passes") is not None]
        differ = [qid for qid, r in by_q.items() if qid in runs[base] and r["text"] != runs[base][qid]["text"]]
        by_set = {}
        for label in sorted({q["set"] for q in asked}):
            ids = {q["id"] for q in asked if q["set"] == label}
            sub = [(r, b) for (r, b), qid in zip(pairs, by_q) if qid in ids]
            by_set[label] = {"decode_ratio_p50": rnd(median([ratio(r["decode_per_s"], b["decode_per_s"]) for r, b in sub]), 3),
                             "answers": len(sub)}
        out[name] = {
            "answers": len(rows),
            "decode_per_s_p50": rnd(median([r["decode_per_s"] for r in rows]), 3),
            "prefill_per_s_p50": rnd(median([r["prefill_per_s"] for r in rows]), 2),
            "first_token_s_p50": rnd(median([r["first_token_s"] for r in rows]), 3),
            "total_s_p50": rnd(median([r["total_s"] for r in rows]), 3),
            "decode_ratio_p50": rnd(median([ratio(r["decode_per_s"], b["decode_per_s"]) for r, b in pairs]), 3),
            "total_ratio_p50": rnd(median([ratio(r["total_s"], b["total_s"]) for r, b in pairs]), 3),
            "decode_s_sum": rnd(sum(r["predicted_ms"] or 0 for r in rows) / 1000, 1),
            "drafted": drafted, "accepted": accepted, "accepted_rate": rnd(ratio(accepted, drafted), 3),
            "tokens": tokens, "forward_passes": sum(passes) if passes else None,
            "tokens_per_pass": rnd(ratio(tokens, sum(passes) - len(passes)) if passes else None, 3),  # minus one prompt pass each
            "identical": len(pairs) - len(differ), "differ": differ, "by_set": by_set,
        }
    return out


def generated_vs_kept(asked: list[dict], runs: dict, server, max_tokens: int) -> dict:
    """Tokens written by the model against tokens shown, and where `AnswerEnd` stops it."""
    from assistant.answer.streaming import AnswerEnd

    rows = []
    for q in asked:
        run = runs.get(q["id"])
        if run is None:
            continue
        end = AnswerEnd()
        stop_at = next((i + 1 for i, piece in enumerate(run["pieces"]) if end.feed(piece)), None)
        cut = "".join(run["pieces"][:stop_at]) if stop_at else run["text"]
        second = None
        if q.get("second_look") and _is_refusal(run["text"]):
            second = stream_once(server, q["second_look"], max_tokens)
        texts = [run["text"]] + ([second["text"]] if second else [])
        shown_full = replay(q, texts)
        shown_cut = replay(q, [cut] + ([_cut(second["pieces"])] if second else []))
        generated = (run["predicted_n"] or 0) + ((second or {}).get("predicted_n") or 0)
        with_stop = (token_count(server, cut) if stop_at else run["predicted_n"] or 0) + (
            token_count(server, _cut(second["pieces"])) if second else 0)
        rows.append({"id": q["id"], "set": q["set"], "generated": generated, "with_stop": with_stop,
                     "shown": token_count(server, shown_full["answer"]), "stopped": end.reason or None,
                     "hit_limit": (run["predicted_n"] or 0) >= max_tokens, "second_look_generated": bool(second),
                     "same_answer": shown_full == shown_cut, "refused": shown_full["refused"],
                     "answer": shown_full["answer"]})
    total = {k: sum(r[k] for r in rows) for k in ("generated", "with_stop", "shown")}
    return {"rows": rows, **total, "answers": len(rows), "same_answer": sum(r["same_answer"] for r in rows),
            "stopped": {reason: sum(r["stopped"] == reason for r in rows) for reason in ("refusal", "loop")},
            "hit_limit": sum(r["hit_limit"] for r in rows)}


def _is_refusal(text: str) -> bool:
    from assistant.answer.refusals import is_refusal

    return is_refusal(text)


def _cut(pieces: list[str]) -> str:
    from assistant.answer.streaming import AnswerEnd

    end, out = AnswerEnd(), []
    for piece in pieces:
        out.append(piece)
        if end.feed(piece):
            break
    return "".join(out)


# --------------------------------------------------------------------------- bench.md

def markdown_f(f: dict, results: dict) -> list[str]:
    if "summary" not in f:
        return []
    lines = ["", "Answer prompts from the assistant's own chain; each setting is its own `LocalServer` in one process, "
             "the same prompts streamed over HTTP as the assistant streams them, the settings taken in turn per question "
             "(rotating order). Decode tokens/s is llama.cpp's `predicted_per_second`; the ratio is the median over "
             "questions of (setting / no drafts) for the same question, runs seconds apart, so load drifts largely cancel. "
             "Forward passes are the change in llama.cpp's `n_decode_total` (one per batch, drafts included); tokens per "
             "pass leaves out each answer's prompt pass.", "",
             "| setting | answers | decode tok/s p50 | decode ratio p50 | drafted | accepted | accepted rate | tokens/pass | "
             "prefill tok/s p50 | first token s p50 | total s p50 | total ratio p50 | same answer |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in f["summary"].items():
        lines.append(f"| {name} (`{f.get('configs', {}).get(name, name)}`) | {s['answers']} | {fmt(s['decode_per_s_p50'])} | "
                     f"{fmt(s['decode_ratio_p50'], '×', 3)} | {s['drafted']} | {s['accepted']} | {fmt(s['accepted_rate'], '', 3)} | "
                     f"{fmt(s['tokens_per_pass'], '', 3)} | {fmt(s['prefill_per_s_p50'])} | {fmt(s['first_token_s_p50'], '', 3)} | "
                     f"{fmt(s['total_s_p50'], '', 3)} | {fmt(s['total_ratio_p50'], '×', 3)} | {s['identical']}/{s['answers']} |")
    lines.append("")
    for name, s in f["summary"].items():
        if s.get("differ"):
            lines.append(f"- {name}: answers differ from no drafts on {', '.join(s['differ'])}.")
        sets = "; ".join(f"{label} {fmt(v['decode_ratio_p50'], '×', 3)} ({v['answers']})" for label, v in s.get("by_set", {}).items())
        lines.append(f"- {name}: decode ratio by question set: {sets}.")
    loads = [r["load"][0] for by_q in f.get("runs", {}).values() for r in by_q.values() if r.get("load")]
    if loads:
        lines.append(f"- Load average (1 min) during the runs: {min(loads)}–{max(loads)}, median {rnd(median(loads), 2)}.")
    k = f.get("kept") or {}
    if k.get("rows"):
        lines += ["", f"Generated against kept, setting `{next(iter(f['summary']))}`, {k['answers']} answers: the model "
                  f"wrote **{k['generated']}** tokens (second looks included); the answers shown hold **{k['shown']}**. "
                  f"Stopping where `AnswerEnd` says the rest is thrown away, it writes {k['with_stop']} "
                  f"({fmt(ratio(k['with_stop'], k['generated']), '', 3)} of them): stopped at a refusal {k['stopped'].get('refusal')} "
                  f"times, at a repeated sentence {k['stopped'].get('loop')} times; {k['hit_limit']} answers ran to the token "
                  f"limit. The answer shown is the same with and without the stop for {k['same_answer']} of {k['answers']}."]
    return lines
