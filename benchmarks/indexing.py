"""Sections a (indexing throughput) and b (re-sync): how they are measured, the workers
they start, and their parts of bench.md.

a: `assistant index` as a whole CLI process on the first N articles into an empty index,
   against raw SentenceTransformer.encode of exactly the chunk texts it embeds (worker
   "raw") and a plain LangChain pipeline (worker "plain").
b: `assistant index` again on a copy of a's index, unchanged and after editing 1% of the
   articles; then a copy of the full rtqa index, unchanged.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import statistics
import time
from pathlib import Path

from common import CORPUS, FULL_INDEX, dig, fmt, log, median, ratio, read_jsonl, rnd, write_jsonl

# --------------------------------------------------------------------------- a. indexing

def section_a(bench, entry: dict) -> None:
    """Indexing throughput: `assistant index` against raw encode and a plain LangChain pipeline."""
    texts = chunk_texts(bench)
    texts_file = bench.tmp / "chunk-texts.json"
    texts_file.write_text(json.dumps(texts))
    n_articles = bench.cfg["articles"]
    entry["articles"] = n_articles
    entry["chunks"] = len(texts)
    entry["chunk_chars_mean"] = rnd(statistics.mean(len(t) for t in texts), 1) if texts else 0

    def ours():
        proc = bench.assistant("index", bench.subset, "--index-dir", bench.idx_a, "--json", timeout=4 * 3600).check()
        report = proc.json()
        return {
            "wall_s": rnd(proc.wall_s), "in_process_s": report.get("seconds"),
            "chunks": report.get("chunks_total"), "chunks_embedded": report.get("chunks_embedded"),
            "chunks_per_s": rnd(report.get("chunks_total", 0) / proc.wall_s),
            "articles_per_s": rnd(n_articles / proc.wall_s, 3), "maxrss_mb": rnd(proc.maxrss_mb, 0),
        }

    def raw():
        result, _ = bench.worker("raw", {"texts": str(texts_file), "diagnostics": bench.cfg["diagnostics"]},
                                timeout=4 * 3600)
        result["chunks_per_s"] = rnd(len(texts) / result["encode_s"])
        result["chunks_per_s_with_load"] = rnd(len(texts) / (result["encode_s"] + result["load_s"]))
        result["process_wall_s"] = rnd(result["process_wall_s"])
        result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
        return result

    def plain():
        result, _ = bench.worker("plain", {"corpus": str(bench.subset), "persist": str(bench.tmp / "plain-chroma")},
                                 timeout=4 * 3600)
        wall = result["process_wall_s"]
        result.update(process_wall_s=rnd(wall), process_maxrss_mb=rnd(result["process_maxrss_mb"], 0),
                      chunks_per_s=rnd(result["chunks"] / wall), articles_per_s=rnd(n_articles / wall, 3))
        return result

    o = bench.sub(entry, "ours", ours)
    log(f"   ours: {o}")
    r = bench.sub(entry, "raw", raw)
    log(f"   raw: {r}")
    p = bench.sub(entry, "plain", plain)
    log(f"   plain: {p}")
    if o and r:
        entry["ratio_ours_vs_raw"] = rnd(ratio(o["chunks_per_s"], r["chunks_per_s"]), 3)
        entry["ratio_ours_vs_raw_with_load"] = rnd(ratio(o["chunks_per_s"], r["chunks_per_s_with_load"]), 3)
        if o.get("in_process_s"):
            entry["ratio_ours_in_process_vs_raw"] = rnd(
                ratio(o["chunks"] / o["in_process_s"], r["chunks_per_s"]), 3)
    if o and p:
        entry["ratio_ours_vs_plain_articles"] = rnd(ratio(o["articles_per_s"], p["articles_per_s"]), 3)
        entry["ratio_ours_vs_plain_chunks"] = rnd(ratio(o["chunks_per_s"], p["chunks_per_s"]), 3)


def chunk_texts(bench) -> list[str]:
    """Exactly what `assistant index` embeds: the project's reader and chunker (title header included)."""
    from assistant.ingest.chunking import chunk_article
    from assistant.ingest.problems import Problems
    from assistant.ingest.readers import read_articles

    root = bench.subset.resolve()
    return [c.text for article in read_articles(root, Problems()) for c in chunk_article(article, str(root))]


def worker_raw(job: dict) -> dict:
    """The ceiling: one SentenceTransformer.encode over all chunk texts, batch size as in the project."""
    texts = json.loads(Path(job["texts"]).read_text())
    started = time.perf_counter()
    from assistant.providers.embeddings import minilm  # the project's offline environment and model path

    # minilm before sentence-transformers: it sets the offline environment that the latter reads on import.
    # isort: split
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(minilm.model_path()), device="cpu")
    batch = getattr(minilm, "BATCH_SIZE", 32)
    model.encode(texts[:batch], batch_size=batch, normalize_embeddings=True)  # warm-up, not timed
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    model.encode(texts, batch_size=batch, normalize_embeddings=True)
    encode_s = time.perf_counter() - started
    result = {"chunks": len(texts), "batch_size": batch, "load_s": round(load_s, 2), "encode_s": round(encode_s, 2)}
    if job.get("diagnostics"):
        # The project's call pattern: one encode per slice of 4 batches (length sorting only within a slice).
        slice_size = batch * 4
        started = time.perf_counter()
        for start in range(0, len(texts), slice_size):
            model.encode(texts[start:start + slice_size], batch_size=batch, normalize_embeddings=True)
        result["encode_sliced_s"] = round(time.perf_counter() - started, 2)
        result["slice_size"] = slice_size
    try:
        import torch

        result["torch_threads"] = torch.get_num_threads()
    except Exception:
        pass
    return result


def worker_plain(job: dict) -> dict:
    """The plain LangChain pipeline: RecursiveCharacterTextSplitter(1000, 200) + Chroma.from_documents with
    the same MiniLM weights behind a HuggingFaceEmbeddings-style wrapper (one encode call per add)."""
    started = time.perf_counter()
    from assistant.providers.embeddings import minilm

    # minilm first, as in worker_raw: the offline environment.
    # isort: split
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    class STEmbeddings(Embeddings):
        """What langchain_huggingface.HuggingFaceEmbeddings does (not installed here): encode all texts at once."""

        def __init__(self) -> None:
            self.model = SentenceTransformer(str(minilm.model_path()), device="cpu")

        def embed_documents(self, texts):
            return self.model.encode(list(texts), batch_size=getattr(minilm, "BATCH_SIZE", 32),
                                     normalize_embeddings=True).tolist()

        def embed_query(self, text):
            return self.embed_documents([text])[0]

    import_s = time.perf_counter() - started
    rows = read_jsonl(Path(job["corpus"]))
    docs = [Document(page_content=r["text"], metadata={"source": r["id"], "title": r.get("title") or "",
                                                        "published": r.get("published") or ""}) for r in rows]
    t = time.perf_counter()
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    split_s = time.perf_counter() - t
    t = time.perf_counter()
    embeddings = STEmbeddings()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    store = Chroma.from_documents(chunks, embeddings, persist_directory=job["persist"], collection_name="plain",
                                  collection_metadata={"hnsw:space": "cosine"})
    store_s = time.perf_counter() - t
    count = store._collection.count()
    return {"articles": len(rows), "chunks": count, "chunk_chars_mean": round(statistics.mean(len(c.page_content) for c in chunks), 1),
            "import_s": round(import_s, 2), "split_s": round(split_s, 2), "model_load_s": round(load_s, 2),
            "embed_and_store_s": round(store_s, 2), "in_process_s": round(time.perf_counter() - started, 2)}


def markdown_a(a: dict, results: dict) -> list[str]:
    """Section a's part of bench.md, after its heading."""
    o, r, p = a.get("ours") or {}, a.get("raw") or {}, a.get("plain") or {}
    lines = [
        "",
        f"{a.get('articles')} articles → {a.get('chunks')} chunks (mean {a.get('chunk_chars_mean')} characters, title "
        "header included: exactly the texts `assistant index` embeds, from the project's own reader and chunker).",
        "",
        "- **ours**: `assistant index SUBSET --index-dir TMP --json` as a whole process into an empty index; "
        "wall time includes interpreter start, imports, model load, Chroma writes, record manager and FTS sync.",
        "- **raw**: `SentenceTransformer.encode(all chunk texts, batch_size=<project's>, normalize_embeddings=True)` "
        "in a fresh process; only the encode call is timed (model load and a one-batch warm-up are not). The ceiling.",
        "- **plain**: `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)` over the article texts + "
        "`langchain_chroma.Chroma.from_documents` with the same MiniLM weights behind a HuggingFaceEmbeddings-style "
        "wrapper (langchain-huggingface is not installed; the wrapper does what it does: one encode over all texts). "
        "It makes different (fewer, longer) chunks, so compare articles/s.",
        "",
        "| pipeline | chunks | seconds | chunks/s | articles/s | peak RSS |",
        "|---|---|---|---|---|---|",
        f"| ours (CLI process) | {fmt(o.get('chunks'))} | {fmt(o.get('wall_s'))} (in-process {fmt(o.get('in_process_s'))}) | "
        f"{fmt(o.get('chunks_per_s'))} | {fmt(o.get('articles_per_s'), digits=3)} | {fmt(o.get('maxrss_mb'), ' MB', 0)} |",
        f"| raw encode | {fmt(r.get('chunks'))} | {fmt(r.get('encode_s'))} (+{fmt(r.get('load_s'))} load) | "
        f"{fmt(r.get('chunks_per_s'))} | – | {fmt(r.get('process_maxrss_mb'), ' MB', 0)} |",
        f"| plain LangChain (process) | {fmt(p.get('chunks'))} | {fmt(p.get('process_wall_s'))} | "
        f"{fmt(p.get('chunks_per_s'))} | {fmt(p.get('articles_per_s'), digits=3)} | {fmt(p.get('process_maxrss_mb'), ' MB', 0)} |",
        "",
        f"Ratios: ours/raw chunks/s **{fmt(a.get('ratio_ours_vs_raw'), '×', 3)}** (target ≥ 0.85; against raw including "
        f"model load {fmt(a.get('ratio_ours_vs_raw_with_load'), '×', 3)}; ours timed in-process "
        f"{fmt(a.get('ratio_ours_in_process_vs_raw'), '×', 3)}); ours/plain articles/s "
        f"**{fmt(a.get('ratio_ours_vs_plain_articles'), '×', 3)}** (chunks/s {fmt(a.get('ratio_ours_vs_plain_chunks'), '×', 3)}).",
    ]
    if r.get("encode_sliced_s"):
        lines.append(f"Diagnostic: raw encode in the project's call pattern (one `encode` per {r.get('slice_size')} "
                     f"texts, so length-sorting only within a slice) took {r['encode_sliced_s']} s vs "
                     f"{r.get('encode_s')} s in one call.")
    if p:
        lines.append(f"Plain pipeline breakdown: imports {p.get('import_s')} s, split {p.get('split_s')} s, model load "
                     f"{p.get('model_load_s')} s, embed+store {p.get('embed_and_store_s')} s.")
    return lines


# --------------------------------------------------------------------------- b. re-sync

def section_b(bench, entry: dict) -> None:
    """Re-sync: unchanged subset, 1% of it edited, and a copy of the full rtqa index unchanged."""
    if not (bench.idx_a / "chroma").exists():
        raise RuntimeError("no index from section a to re-sync")
    work = bench.tmp / "idx-b"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(bench.idx_a, work)

    def index_run(index_dir, *paths):
        proc = bench.assistant("index", *paths, "--index-dir", index_dir, "--json", timeout=4 * 3600).check()
        report = proc.json()
        return {"wall_s": rnd(proc.wall_s), "in_process_s": report.get("seconds"),
                "chunks_embedded": report.get("chunks_embedded"), "chunks_deleted": report.get("chunks_deleted"),
                "chunks_total": report.get("chunks_total"), "sources_updated": report.get("sources_updated"),
                "maxrss_mb": rnd(proc.maxrss_mb, 0), "roots": report.get("roots")}

    def unchanged():
        runs = [index_run(work, bench.subset) for _ in range(bench.cfg["resync_runs"])]
        return {"runs": runs, "median_wall_s": rnd(median([r["wall_s"] for r in runs])),
                "median_in_process_s": rnd(median([r["in_process_s"] for r in runs]))}

    def one_percent():
        rows = read_jsonl(bench.subset)
        count = max(1, math.ceil(len(rows) * 0.01))
        picked = sorted(random.Random(1).sample(range(len(rows)), count))
        for n, i in enumerate(picked):
            # A sentence inserted at the top shifts every window: all chunks of the article change.
            rows[i] = {**rows[i], "text": f"Update {n}: this article was edited for the benchmark. " + rows[i]["text"]}
        write_jsonl(rows, bench.subset)
        result = index_run(work, bench.subset)
        result["articles_edited"] = count
        return result

    u = bench.sub(entry, "unchanged", unchanged)
    log(f"   unchanged: {u and u['median_wall_s']} s")
    c = bench.sub(entry, "one_percent", one_percent)
    log(f"   1% edited: {c}")

    def full():
        if not (FULL_INDEX / "chroma").exists():
            return {"skipped": f"no index at {FULL_INDEX}"}
        copy = bench.tmp / "idx-full-copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(FULL_INDEX, copy)  # the original is never written to
        runs = []
        for _ in range(bench.cfg["full_resync_runs"]):
            run = index_run(copy, CORPUS.resolve())
            if run["chunks_embedded"]:
                run["warning"] = "chunks were embedded: the copy was not in sync with the corpus (not a pure re-sync)"
            runs.append(run)
        shutil.rmtree(copy, ignore_errors=True)
        return {"source": str(FULL_INDEX), "runs": runs, "median_wall_s": rnd(median([r["wall_s"] for r in runs])),
                "median_in_process_s": rnd(median([r["in_process_s"] for r in runs]))}

    f = bench.sub(entry, "full_corpus", full)
    log(f"   full-corpus re-sync: {f and f.get('median_wall_s', f.get('skipped'))}")
    shutil.rmtree(work, ignore_errors=True)


def markdown_b(b: dict, results: dict) -> list[str]:
    """Section b's part of bench.md, after its heading."""
    u, c, f = b.get("unchanged") or {}, b.get("one_percent") or {}, b.get("full_corpus") or {}
    lines = [
        "",
        "`assistant index SUBSET --index-dir COPY --json` as a whole process on a copy of the index from (a): "
        f"unchanged ({len(u.get('runs', []))} runs, median), then after rewriting the JSONL with 1% of the articles "
        "edited (a sentence inserted at the top, which changes every chunk of the article). The full-corpus line "
        f"re-syncs a copy of `{FULL_INDEX}` (the original is never written) with the whole `{CORPUS.name}`.",
        "",
        "| re-sync | wall s (median) | in-process s | chunks embedded | chunks deleted |",
        "|---|---|---|---|---|",
        f"| subset, unchanged | {fmt(u.get('median_wall_s'))} | {fmt(u.get('median_in_process_s'))} | "
        f"{fmt(dig(u, ('runs',))[0].get('chunks_embedded') if u.get('runs') else None)} | – |",
        f"| subset, {fmt(c.get('articles_edited'))} article(s) edited | {fmt(c.get('wall_s'))} | {fmt(c.get('in_process_s'))} | "
        f"{fmt(c.get('chunks_embedded'))} | {fmt(c.get('chunks_deleted'))} |",
    ]
    if f.get("skipped"):
        lines.append(f"| full corpus | skipped: {f['skipped']} | | | |")
    elif f:
        first = (f.get("runs") or [{}])[0]
        lines.append(f"| full corpus ({fmt(first.get('chunks_total'))} chunks), unchanged | {fmt(f.get('median_wall_s'))} | "
                     f"{fmt(f.get('median_in_process_s'))} | {fmt(first.get('chunks_embedded'))} | {fmt(first.get('chunks_deleted'))} |")
        for run in f.get("runs", []):
            if run.get("warning"):
                lines.append(f"\nWarning: {run['warning']}")
                break
    lines.append("\nTarget: unchanged re-sync of rtqa-dev-corpus ≤ 3 s (the full-corpus line).")
    return lines
