"""Section g (the assistant beside a plain LangChain RAG chain): how it is measured, its
worker ("peer") and its part of bench.md.

The plain chain is the textbook one: the articles' texts split by
`RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, embedded with the same
MiniLM into Chroma (cosine), the top 4 chunks stuffed into the usual "answer from the
context" prompt, and the answer streamed from the same model with the same settings: each
chain has its own `LocalServer` in the worker process (the assistant's settings), as each
would have running alone. Sharing one would let each chain's prompt evict the other's
cached prefix (llama.cpp keeps one slot), a cost neither pays in use. Per question the two
run back to back, in alternating order, so load drifts hit both alike.

Measured from the call: the assistant's `Answerer.ask` (retrieval, checks, generation, a
second look when it takes one, the checks after) and the plain chain's `stream`; time to
first token is the first text that reaches the screen (for the assistant: its first
non-empty streamed piece, after the held-back checks), answer time is the whole call.
For the assistant, also the moment the articles being read are known (`on_evidence`).
Contains-gold is `assistant.evaluate.metrics.contains_gold` over the answerable questions.
"""

from __future__ import annotations

import time
from pathlib import Path

from common import fmt, load_now, log, median, ratio, rnd

PLAIN_PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to answer "
    "the question. If you don't know the answer, just say that you don't know. Use three sentences maximum and keep "
    "the answer concise.\nQuestion: {question}\nContext: {context}\nAnswer:"
)  # LangChain's standard RAG prompt (hub: rlm/rag-prompt)


def section_g(bench, entry: dict) -> None:
    from speculative import indexes, rtqa_subset, seed_questions

    seeds_idx, rtqa_idx = indexes(bench)
    questions = [dict(q, set="seeds", index_dir=str(seeds_idx)) for q in seed_questions(follow_ups=True)]
    if rtqa_idx is not None:
        questions += [dict(q, set="rtqa-dev", index_dir=str(rtqa_idx)) for q in rtqa_subset(bench.cfg.get("spec_rtqa", 40))]
    questions = questions[: bench.cfg.get("peer_questions") or None]
    result, _ = bench.worker("peer", {"questions": questions}, timeout=24 * 3600)
    entry.update(result)
    for label, s in result.get("summary", {}).items():
        log(f"   {label}: {s}")


def plain_store(retriever):
    """The plain chain's Chroma, built once next to the (copied) index from the same articles."""
    from assistant.evaluate.compare import baseline_store

    return baseline_store(retriever)  # RecursiveCharacterTextSplitter(1000, 200) + Chroma(MiniLM, cosine)


def worker_peer(job: dict) -> dict:
    from datetime import date

    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    from assistant.answer.chain import Answerer
    from assistant.config import Settings
    from assistant.evaluate.metrics import contains_gold
    from assistant.providers.llms import get_chat_model
    from assistant.providers.llms.local import LocalServer, server_for
    from assistant.providers.llms.openai import chat_openai
    from assistant.retrieve.retriever import Retriever

    llm = get_chat_model("local")
    server = server_for(llm)
    settings_note = str(server.speculation) if server else "?"
    own = LocalServer(server.model_path) if server else None  # the plain chain's, same settings
    plain_llm = chat_openai("local", own.base_url, own.api_key) if own else llm
    ours, plain = {}, {}
    started = time.perf_counter()
    for index_dir in dict.fromkeys(q["index_dir"] for q in job["questions"]):
        retriever = Retriever(Settings(index_dir=Path(index_dir)))
        ours[index_dir] = Answerer(retriever, llm)
        store = plain_store(retriever)

        def context(docs) -> str:
            return "\n\n".join(d.page_content for d in docs)

        prompt = ChatPromptTemplate.from_messages([("human", PLAIN_PROMPT)])
        plain[index_dir] = ({"context": store.as_retriever(search_kwargs={"k": 4}) | context, "question": RunnablePassthrough()}
                            | prompt | plain_llm | StrOutputParser())
    setup_s = time.perf_counter() - started
    ours[next(iter(ours))].load_model()
    for chain in plain.values():  # untimed: first touch of each store and of the model
        "".join(chain.stream("warm-up question"))
    rows, history = [], {}
    by_id = {q["id"]: q for q in job["questions"]}
    for i, q in enumerate(job["questions"]):
        as_of = date.fromisoformat(q["asked_on"]) if q.get("asked_on") else None
        turns = _history(q, history, by_id)
        row = {"id": q["id"], "set": q["set"], "answerable": bool(q.get("answers")), "follow_up": bool(q.get("after"))}

        for name in ("ours", "plain") if i % 2 == 0 else ("plain", "ours"):
            if name == "ours":
                row[name], history[q["id"]] = run_ours(ours[q["index_dir"]], q["question"], turns, as_of)
            else:
                row[name] = run_plain(plain[q["index_dir"]], q["question"])
            if row["answerable"]:
                row[name]["contains_gold"] = contains_gold(row[name]["answer"], tuple(q["answers"]))
        rows.append(row)
        log(f"   {q['id']}: ours {row['ours']['total_s']} s (evidence {row['ours']['evidence_s']}, first token "
            f"{row['ours']['first_token_s']}), plain {row['plain']['total_s']} s (first token {row['plain']['first_token_s']})")
    return {"rows": rows, "summary": summarise(rows), "setup_s": rnd(setup_s), "speculation": settings_note,
            "plain_prompt": PLAIN_PROMPT}


def run_ours(answerer, question: str, turns: list, as_of) -> tuple[dict, object]:
    from assistant.types import Turn

    t0, marks = time.perf_counter(), {}

    def token(text: str) -> None:
        if text and "first_token" not in marks:
            marks["first_token"] = time.perf_counter() - t0

    def evidence(excerpts) -> None:
        marks.setdefault("evidence", time.perf_counter() - t0)

    answer = answerer.ask(question, history=turns, as_of=as_of, on_token=token, on_evidence=evidence)
    total = time.perf_counter() - t0
    turn = Turn(question, answer.answer, tuple(c.chunk_id for c in answer.primary_citations))
    return {"answer": answer.answer, "refused": answer.refused, "total_s": rnd(total, 3),
            "first_token_s": rnd(marks.get("first_token"), 3), "evidence_s": rnd(marks.get("evidence"), 3),
            "timings_ms": answer.timings_ms, "load": load_now()}, turn


def run_plain(chain, question: str) -> dict:
    t0, first, pieces = time.perf_counter(), None, []
    for piece in chain.stream(question):
        if piece and first is None:
            first = time.perf_counter() - t0
        pieces.append(piece)
    return {"answer": "".join(pieces), "total_s": rnd(time.perf_counter() - t0, 3), "first_token_s": rnd(first, 3),
            "load": load_now()}


def _history(q: dict, answered: dict, by_id: dict) -> list:
    """The conversation a follow-up continues (its chain of `after` questions), as `eval` builds it."""
    turns, previous = [], q.get("after")
    while previous and previous in answered:
        turns.insert(0, answered[previous])
        previous = by_id.get(previous, {}).get("after")
    return turns


def summarise(rows: list[dict]) -> dict:
    from assistant.evaluate.metrics import percentile as exact

    def percentile(values: list, q: float):  # a subset may have none (no first token when all refused early)
        return exact(values, q) if values else None

    out = {}
    for label in ["all"] + sorted({r["set"] for r in rows}):
        sub = [r for r in rows if label == "all" or r["set"] == label]
        part: dict = {"questions": len(sub), "answerable": sum(r["answerable"] for r in sub)}
        for name in ("ours", "plain"):
            totals = [r[name]["total_s"] for r in sub]
            firsts = [r[name]["first_token_s"] for r in sub if r[name].get("first_token_s") is not None]
            gold = [r[name]["contains_gold"] for r in sub if r["answerable"]]
            part[name] = {"answer_p50_s": rnd(percentile(totals, 0.5), 3), "answer_p95_s": rnd(percentile(totals, 0.95), 3),
                          "first_token_p50_s": rnd(percentile(firsts, 0.5), 3), "first_tokens": len(firsts),
                          "contains_gold": rnd(sum(gold) / len(gold), 3) if gold else None}
        evidence = [r["ours"]["evidence_s"] for r in sub if r["ours"].get("evidence_s") is not None]
        part["ours"]["evidence_p50_s"] = rnd(percentile(evidence, 0.5), 3)
        part["ours"]["evidence_max_s"] = rnd(max(evidence), 3) if evidence else None
        standalone = [r["ours"]["evidence_s"] for r in sub if r["ours"].get("evidence_s") is not None and not r["follow_up"]]
        part["ours"]["evidence_max_standalone_s"] = rnd(max(standalone), 3) if standalone else None
        part["answer_p50_ratio"] = rnd(ratio(part["ours"]["answer_p50_s"], part["plain"]["answer_p50_s"]), 3)
        part["answer_ratio_p50_paired"] = rnd(median([ratio(r["ours"]["total_s"], r["plain"]["total_s"]) for r in sub]), 3)
        part["first_token_p50_ratio"] = rnd(ratio(part["ours"]["first_token_p50_s"], part["plain"]["first_token_p50_s"]), 3)
        out[label] = part
    return out


def markdown_g(g: dict, results: dict) -> list[str]:
    if "summary" not in g:
        return []
    lines = ["", f"Both chains in one process, each on its own `LocalServer` of the same model and settings (speculation "
             f"`{g.get('speculation')}`; each keeps its own cached prompt prefix, as alone), per question back to back in "
             "alternating order. Plain chain: `RecursiveCharacterTextSplitter(1000, 200)` chunks of the same "
             "articles in Chroma with the same MiniLM (cosine), top 4, LangChain's standard RAG prompt (rlm/rag-prompt), "
             "`{context, question} | prompt | model | StrOutputParser()` streamed. Seed follow-ups get the conversation in "
             "the assistant (as in `chat`) and are asked as they are in the plain chain, which has no memory. Times are "
             "from the call to the first text on screen (first token) and to the end (answer); evidence is when the "
             "assistant knows the articles it will read (it shows them then).", "",
             "| questions | chain | first token p50 s | answer p50 s | answer p95 s | contains gold | evidence p50 / max s |",
             "|---|---|---|---|---|---|---|"]
    for label, part in g["summary"].items():
        for name in ("ours", "plain"):
            s = part[name]
            ev = f"{fmt(s.get('evidence_p50_s'), '', 3)} / {fmt(s.get('evidence_max_s'), '', 3)}" if name == "ours" else "–"
            chain = "assistant" if name == "ours" else "plain LangChain"
            lines.append(f"| {label} ({part['questions']}, {part['answerable']} answerable) | {chain} | "
                         f"{fmt(s['first_token_p50_s'], '', 3)} ({s['first_tokens']}) | {fmt(s['answer_p50_s'], '', 3)} | "
                         f"{fmt(s['answer_p95_s'], '', 3)} | {fmt(s['contains_gold'], '', 3)} | {ev} |")
    lines.append("")
    for label, part in g["summary"].items():
        lines.append(f"- {label}: assistant / plain answer p50 **{fmt(part['answer_p50_ratio'], '×', 3)}** (median of "
                     f"per-question ratios {fmt(part['answer_ratio_p50_paired'], '×', 3)}), first token p50 "
                     f"{fmt(part['first_token_p50_ratio'], '×', 3)}.")
    loads = [r[n]["load"][0] for r in g.get("rows", []) for n in ("ours", "plain") if r[n].get("load")]
    if loads:
        lines.append(f"- Load average (1 min) during the runs: {min(loads)}–{max(loads)}, median {rnd(median(loads), 2)}.")
    return lines
