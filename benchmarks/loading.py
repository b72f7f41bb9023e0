"""Section i (where the local model's start-up goes): its worker ("load") and its part of
bench.md.

Each measurement is a fresh process (`bench.py --worker load`) with the model file in the
page cache, so what is timed is what a one-shot `ask` pays: importing xllamacpp, creating
the server (mmap, llama.cpp's weight repacking into its CPU layouts, the warm-up pass,
thread start), restoring the saved prompt prefix, then one answer prompt's prefill and
decode (a passage of the usual 1,400 characters). Settings are run in rotating order, `runs` times each: the default, without the
warm-up pass, without repacking, and without both.
"""

from __future__ import annotations

import time

from common import fmt, load_now, log, median, ratio, rnd

# "default" is llama.cpp's (warm-up pass and repacking); the assistant ships "no warm-up".
SETTINGS = {"default": dict(warmup=True, repack=True), "no warm-up": dict(warmup=False, repack=True),
            "no repack": dict(warmup=True, repack=False), "neither": dict(warmup=False, repack=False)}
QUESTION = "Who claimed the Ahvaz attack?"


def prompt() -> str:
    """An answer prompt of the usual size: the seed article's first 1,400 characters as its
    passage (the excerpt budget), then the question."""
    from common import SEEDS

    text = next(SEEDS.glob("*.txt")).read_text()[:1400]
    return f"Passages:\n[1] {text}\n\nQuestion: {QUESTION}"


def section_i(bench, entry: dict) -> None:
    runs = bench.cfg.get("load_runs", 3)
    rows: list[dict] = []
    names = list(SETTINGS)
    bench.worker("load", {"setting": "default"})  # untimed: the model file into the page cache, the prefix saved
    for i in range(runs * len(names)):
        name = names[i % len(names)] if (i // len(names)) % 2 == 0 else names[-1 - i % len(names)]
        result, proc = bench.worker("load", {"setting": name})
        rows.append(dict(result, setting=name, process_s=rnd(proc.wall_s, 3), load=load_now()))
        log(f"   load {name}: server {result['server_s']} s, first answer {result['answer_s']} s, process {proc.wall_s:.1f} s")
    summary = {}
    for name in names:
        mine = [r for r in rows if r["setting"] == name]
        summary[name] = {k: rnd(median([r[k] for r in mine]), 3) for k in
                         ("import_s", "server_s", "prime_s", "prefill_per_s", "decode_per_s", "answer_s", "process_s")}
        summary[name]["same_answer"] = all(r["text"] == rows[0]["text"] for r in mine)
    for name in names[1:]:
        summary[name]["server_vs_default"] = rnd(ratio(summary[name]["server_s"], summary["default"]["server_s"]), 3)
        summary[name]["process_vs_default"] = rnd(ratio(summary[name]["process_s"], summary["default"]["process_s"]), 3)
    entry.update(runs=rows, summary=summary)


def worker_load(job: dict) -> dict:
    started = time.perf_counter()
    import httpx
    import xllamacpp  # noqa: F401

    from assistant.answer.prompts import answer_system
    from assistant.providers.llms.local import LocalServer, Speculation, resolve_model

    path = resolve_model("")
    imported = time.perf_counter()
    server = LocalServer(path, speculate=Speculation(), **SETTINGS[job["setting"]])
    created = time.perf_counter()
    server.prime(answer_system())
    primed = time.perf_counter()
    reply = httpx.post(f"{server.base_url}/chat/completions", timeout=600, headers={"Authorization": f"Bearer {server.api_key}"},
                       json={"messages": [{"role": "system", "content": answer_system()}, {"role": "user", "content": prompt()}],
                             "temperature": 0, "max_tokens": 64}).json()
    answered = time.perf_counter()
    timings = reply.get("timings", {})
    return {"import_s": rnd(imported - started, 3), "server_s": rnd(created - imported, 3), "prime_s": rnd(primed - created, 3),
            "answer_s": rnd(answered - primed, 3), "prefill_per_s": rnd(timings.get("prompt_per_second"), 2),
            "decode_per_s": rnd(timings.get("predicted_per_second"), 2),
            "text": reply["choices"][0]["message"]["content"]}


def markdown_i(i: dict, results: dict) -> list[str]:
    s = i.get("summary") or {}
    if not s:
        return []
    lines = ["", f"Each row is the median of {len(i['runs']) // max(len(s), 1)} fresh processes (settings in rotating order, the "
             "model file in the page cache): importing xllamacpp and checking the model file, creating the server "
             "(mmap, repacking, warm-up, threads), restoring the saved prompt prefix, and one answer to a prompt "
             "of the usual size (the seed's first 1,400 characters as the passage).", "",
             "| setting | import s | server s | prefix restore s | prefill tok/s | decode tok/s | answer s | process s "
             "| server vs default | process vs default | same answer |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in s.items():
        lines.append(f"| {name} | {fmt(row['import_s'])} | {fmt(row['server_s'])} | {fmt(row['prime_s'])} | "
                     f"{fmt(row['prefill_per_s'])} | {fmt(row['decode_per_s'])} | {fmt(row['answer_s'])} | "
                     f"{fmt(row['process_s'])} | {fmt(row.get('server_vs_default'), '×', 3)} | "
                     f"{fmt(row.get('process_vs_default'), '×', 3)} | {row['same_answer']} |")
    return lines
