"""Section c (cold start and time to first token): how it is measured and its part of
bench.md. Everything here is a whole `assistant` process; no worker is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from common import PROJECT, QUESTIONS, SEED_QUESTIONS, SEEDS, fmt, load_now, log, median, ratio, read_jsonl, rnd, run_process


def section_c(bench, entry: dict) -> None:
    """Cold start of `assistant search` and `ask --llm none` on a's index, then time to first token."""
    questions = [q["question"] for q in read_jsonl(QUESTIONS)]
    runs = bench.cfg["cold_runs"]

    def cold(*command):
        if not (bench.idx_a / "chroma").exists():
            raise RuntimeError("no index from section a")
        bench.assistant(*command, "warm-up question", "--index-dir", bench.idx_a, "--json")  # disk cache, ONNX export
        results = []
        for q in questions[:runs]:
            proc = bench.assistant(*command, q, "--index-dir", bench.idx_a, "--json").check()
            proc.json()
            results.append({"wall_s": rnd(proc.wall_s, 3), "maxrss_mb": rnd(proc.maxrss_mb, 0)})
        return {"runs": results, "median_wall_s": rnd(median([r["wall_s"] for r in results]), 3),
                "max_maxrss_mb": max(r["maxrss_mb"] for r in results)}

    s = bench.sub(entry, "cold_search", lambda: cold("search"))
    log(f"   cold search: {s and s['median_wall_s']} s")
    a = bench.sub(entry, "cold_ask_llm_none", lambda: cold("ask", "--llm", "none"))
    log(f"   cold ask --llm none: {a and a['median_wall_s']} s")
    bench.sub(entry, "ttft", lambda: ttft(bench))


def ttft(bench) -> dict:
    """`assistant ask --json` with the default local model on the first seed questions that are not follow-ups."""
    seeds_idx = bench.tmp / "idx-seeds"
    bench.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
    picked = [q for q in read_jsonl(SEED_QUESTIONS) if not q.get("after")][: bench.cfg["ttft_questions"]]
    # Untimed: on a fresh machine the first answer computes and saves the prompt prefix's KV cache.
    bench.assistant("ask", "warm-up question about the Ahvaz attack", "--index-dir", seeds_idx, "--json", timeout=1800)
    runs = []
    for q in picked:
        proc = bench.assistant("ask", q["question"], "--index-dir", seeds_idx, "--json", timeout=1800)
        run = {"id": q.get("id"), "wall_s": rnd(proc.wall_s), "maxrss_mb": rnd(proc.maxrss_mb, 0), "exit": proc.code}
        try:
            answer = proc.json()
            timings = answer.get("timings_ms", {})
            run["refused"] = answer.get("refused")
            run["timings_ms"] = timings
            if "first_token" in timings:
                before = sum(timings.get(k, 0) for k in ("condense", "retrieve", "focus"))
                run["first_token_s"] = rnd(timings["first_token"] / 1000, 3)
                run["ttft_in_ask_s"] = rnd((before + timings["first_token"]) / 1000, 3)
            run["total_s"] = rnd(timings.get("total", 0) / 1000, 3)
        except Exception as exc:
            run["error"] = str(exc)[:500]
        runs.append(run)
        log(f"   ask {q.get('id')}: {run.get('first_token_s')} s to first token, {run.get('total_s')} s total, wall {run['wall_s']} s")
    generated = [r for r in runs if r.get("first_token_s") is not None]
    return {
        "runs": runs, "questions": len(runs), "generated": len(generated),
        "first_token_p50_s": rnd(median([r["first_token_s"] for r in generated]), 3),
        "first_token_max_s": rnd(max((r["first_token_s"] for r in generated), default=None), 3),
        "ttft_in_ask_p50_s": rnd(median([r["ttft_in_ask_s"] for r in generated]), 3),
        "total_p50_s": rnd(median([r["total_s"] for r in runs if r.get("total_s")]), 3),
        "wall_p50_s": rnd(median([r["wall_s"] for r in runs]), 3),
        "max_maxrss_mb": max((r["maxrss_mb"] for r in runs), default=None),
    }


def markdown_c(c: dict, results: dict) -> list[str]:
    """Section c's part of bench.md, after its heading."""
    cs, ca, t = c.get("cold_search") or {}, c.get("cold_ask_llm_none") or {}, c.get("ttft") or {}
    lines = [
        "",
        "Cold start = a whole new process on the index from (a), each run with a different question; one untimed "
        "warm-up run first (disk cache warm, ONNX query encoder exported), so this is a warm-cache process start, "
        "not a cold boot.",
        "",
        "| command | runs | median wall s | runs (s) | peak RSS |",
        "|---|---|---|---|---|",
        f"| `assistant search Q --json` | {len(cs.get('runs', []))} | {fmt(cs.get('median_wall_s'), '', 3)} | "
        f"{', '.join(str(r['wall_s']) for r in cs.get('runs', []))} | {fmt(cs.get('max_maxrss_mb'), ' MB', 0)} |",
        f"| `assistant ask Q --llm none --json` | {len(ca.get('runs', []))} | {fmt(ca.get('median_wall_s'), '', 3)} | "
        f"{', '.join(str(r['wall_s']) for r in ca.get('runs', []))} | {fmt(ca.get('max_maxrss_mb'), ' MB', 0)} |",
        "",
        "Time to first token: `assistant ask Q --json` (default local model) against an index of `seeds/`, for the "
        f"first {t.get('questions')} seed questions that are not follow-ups. `first_token` is the JSON's "
        "`timings_ms.first_token` (from the start of generation); 'in ask' adds the retrieval and focus steps before "
        "it; 'total' is `timings_ms.total`; 'wall' is the whole process (model load included). One untimed ask runs "
        "first: it leaves the saved KV cache of the prompt prefix (chat template + system prompt) in the user cache "
        "dir, as any earlier use of the assistant would, so each timed ask prefills only its passages and question.",
        "",
        "| question | refused | first_token s | in ask s | total s | wall s | peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in t.get("runs", []):
        lines.append(f"| {r.get('id')} | {r.get('refused')} | {fmt(r.get('first_token_s'), '', 3)} | "
                     f"{fmt(r.get('ttft_in_ask_s'), '', 3)} | {fmt(r.get('total_s'), '', 3)} | {fmt(r.get('wall_s'))} | "
                     f"{fmt(r.get('maxrss_mb'), ' MB', 0)} |" + (f" error: {r['error'][:120]}" if r.get("error") else ""))
    lines += ["", f"p50 first token **{fmt(t.get('first_token_p50_s'), ' s', 3)}** (target ≤ 4 s; max "
              f"{fmt(t.get('first_token_max_s'), ' s', 3)}), in ask {fmt(t.get('ttft_in_ask_p50_s'), ' s', 3)}, total "
              f"{fmt(t.get('total_p50_s'), ' s', 3)}, process wall {fmt(t.get('wall_p50_s'), ' s', 3)}; "
              f"{t.get('generated')} of {t.get('questions')} answers were generated (refusals decided before the "
              "model have no first token)."]
    return lines


# --------------------------------------------------------------------------- cold one-shot ask, before and now

# The code before issue #23 (speculative decoding, model start-up, evidence first): `ask` as it was.
BASELINE = os.environ.get("BENCH_BASELINE", "6f2419f")


def section_h(bench, entry: dict) -> None:
    """Cold one-shot `ask` on seed questions: the baseline commit, the current code, and the
    current code with `assistant serve` running, in turn per question."""
    bench.sub(entry, "cold_ask", lambda: cold_ask(bench))


def _versions(bench) -> dict[str, dict]:
    """How to run each version: its command and environment. 'before' is `git archive` of the
    baseline commit, run from its own folder; each version has its own cache dir (the model
    files linked, the saved prompt prefix its own, since each deletes another prompt's)."""
    from assistant.config import cache_dir

    models = cache_dir() / "models"
    before = bench.tmp / "before"
    if not (before / "assistant").exists():
        before.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", BASELINE], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    out = {}
    for name in ("before", "now"):
        cache = bench.tmp / f"cache-{name}"
        cache.mkdir(exist_ok=True)
        if not (cache / "models").exists():
            (cache / "models").symlink_to(models, target_is_directory=True)
        env = dict(bench.env, ASSISTANT_CACHE_DIR=str(cache), ASSISTANT_DATA_DIR=str(bench.tmp / f"data-{name}"))
        if name == "before":
            env["PYTHONPATH"] = str(before)
        out[name] = {"cmd": [sys.executable, "-m", "assistant"], "env": env, "cwd": before if name == "before" else PROJECT}
    # `assistant serve` registers itself in the data dir: only "served" runs may find it.
    out["served"] = dict(out["now"], env=dict(out["now"]["env"], ASSISTANT_DATA_DIR=str(bench.tmp / "data-served")))
    return out


def cold_ask(bench) -> dict:
    seeds_idx = bench.tmp / "idx-seeds"
    if not (seeds_idx / "chroma").exists():
        bench.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
    picked = [q for q in read_jsonl(SEED_QUESTIONS) if not q.get("after")][: bench.cfg.get("cold_ask_questions", 8)]
    versions = _versions(bench)

    def ask(name: str, question: str) -> dict:
        v = versions[name]
        proc = run_process(v["cmd"] + ["ask", question, "--index-dir", seeds_idx, "--json"], v["env"], timeout=3600, cwd=v["cwd"])
        run = {"wall_s": rnd(proc.wall_s, 3), "cpu_s": rnd(proc.cpu_s, 2), "maxrss_mb": rnd(proc.maxrss_mb, 0),
               "exit": proc.code, "load": load_now()}
        try:
            data = proc.json()
            run.update(answer=data.get("answer"), refused=data.get("refused"), timings_ms=data.get("timings_ms"))
        except Exception as exc:
            run["error"] = str(exc)[:400]
        return run

    for name in ("before", "now"):  # untimed: each version saves its prompt prefix once, as any earlier use would have
        ask(name, "warm-up question about the Ahvaz attack")
    serving = subprocess.Popen(versions["served"]["cmd"] + ["serve", "--idle", "0", "--json"], env=versions["served"]["env"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
                               cwd=str(PROJECT))
    runs: list[dict] = []
    try:
        ready = json.loads(serving.stdout.readline() or "{}")
        names = ["before", "now"] + (["served"] if ready.get("base_url") else [])
        for i, q in enumerate(picked):
            row: dict = {"id": q["id"]}
            for name in names[i % len(names):] + names[: i % len(names)]:
                row[name] = ask(name, q["question"])
            runs.append(row)
            log(f"   cold ask {q['id']}: " + ", ".join(f"{n} {row[n]['wall_s']} s" for n in names))
    finally:
        serving.terminate()
        serving.wait(timeout=120)
    result: dict = {"baseline": BASELINE, "runs": runs, "questions": len(runs), "served_ready": bool(runs and "served" in runs[0])}
    for name in ("before", "now", "served"):
        walls = [r[name]["wall_s"] for r in runs if name in r]
        if walls:
            result[f"{name}_wall_p50_s"] = rnd(median(walls), 3)
            result[f"{name}_cpu_p50_s"] = rnd(median([r[name]["cpu_s"] for r in runs if name in r]), 2)
    for name in ("now", "served"):
        paired = [ratio(r[name]["wall_s"], r["before"]["wall_s"]) for r in runs if name in r]
        result[f"{name}_vs_before_p50"] = rnd(median(paired), 3)
        result[f"{name}_vs_before_of_p50s"] = rnd(ratio(result.get(f"{name}_wall_p50_s"), result.get("before_wall_p50_s")), 3)
    result["same_answers"] = sum(r["now"].get("answer") == r["before"].get("answer") for r in runs)
    return result


def markdown_h(h: dict, results: dict) -> list[str]:
    t = h.get("cold_ask") or {}
    if not t.get("runs"):
        return []
    names = [n for n in ("before", "now", "served") if n in t["runs"][0]]
    lines = ["", f"Cold one-shot `assistant ask Q --json` on the first {t['questions']} seed questions that are not follow-ups, "
             f"each a whole new process: **before** is commit `{t['baseline']}` (the code before issue #23, from `git archive`), "
             "**now** the current code, **served** the current code while `assistant serve` keeps the model loaded in "
             "another process. Per question the versions run in turn (rotating order); each has its own cache dir (the "
             "model files shared, its saved prompt prefix its own, made by one untimed ask first). Wall is the whole "
             "process; CPU is its user + system time.", "",
             "| question | " + " | ".join(f"{n} wall s | {n} CPU s" for n in names) + " |",
             "|---|" + "---|---|" * len(names)]
    for r in t["runs"]:
        lines.append(f"| {r['id']} | " + " | ".join(f"{fmt(r[n].get('wall_s'))} | {fmt(r[n].get('cpu_s'))}" for n in names) + " |")
    lines += ["", f"p50 wall: before {fmt(t.get('before_wall_p50_s'), ' s')}, now {fmt(t.get('now_wall_p50_s'), ' s')}"
              + (f", served {fmt(t.get('served_wall_p50_s'), ' s')}" if "served" in names else "")
              + f". Now / before: **{fmt(t.get('now_vs_before_p50'), '×', 3)}** (median of per-question ratios; "
              f"{fmt(t.get('now_vs_before_of_p50s'), '×', 3)} of the p50s)"
              + (f"; served / before {fmt(t.get('served_vs_before_p50'), '×', 3)}" if "served" in names else "")
              + f". Same answer text before and now: {t.get('same_answers')} of {t['questions']}."]
    return lines
