"""Section d (search latency and memory at 1x, 4x, 16x): how it is measured, its workers
("clone" builds the larger indexes, "query" times one size in its own process) and its
part of bench.md. The latency plot is drawn by report.plot from the same numbers.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import secrets
import shutil
import statistics
import time
from pathlib import Path

from common import QUESTIONS, fmt, log, read_jsonl, rnd

PERTURB_SIGMA = 0.01  # per-component noise added to cloned vectors (then re-normalised)


def section_d(bench, entry: dict) -> None:
    """Search latency and peak RSS at each size: 1x is a's index, larger ones are cloned from it."""
    if not (bench.idx_a / "chroma").exists():
        raise RuntimeError("no index from section a to scale up")
    questions = [q["question"] for q in read_jsonl(QUESTIONS)][: bench.cfg["queries"]]
    qfile = bench.tmp / "queries.json"
    qfile.write_text(json.dumps(questions))
    factors = list(bench.cfg["factors"])
    dirs = {f: bench.tmp / f"idx-d{f}x" for f in factors}
    if 1 in dirs:
        shutil.rmtree(dirs[1], ignore_errors=True)
        shutil.copytree(bench.idx_a, dirs[1])  # 1x is the real indexer's output
    bigger = {str(f): str(d) for f, d in dirs.items() if f != 1}
    if bigger:
        built, _ = bench.worker("clone", {"src": str(bench.idx_a), "targets": bigger, "sigma": PERTURB_SIGMA},
                                timeout=6 * 3600)
        entry["build"] = built
        log(f"   clones built: {built}")
    entry["sizes"] = {}
    for factor, path in dirs.items():
        def measure(path=path):
            result, _ = bench.worker("query", {"index_dir": str(path), "queries": str(qfile), "k": 5,
                                               "rescore_queries": bench.cfg["rescore_queries"]}, timeout=3 * 3600)
            result["process_wall_s"] = rnd(result["process_wall_s"])
            result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
            return result
        r = bench.sub(entry["sizes"], f"{factor}x", measure)
        if r:
            log(f"   {factor}x ({r.get('chunks')} chunks): " + ", ".join(
                f"{m} p50 {v.get('p50_ms')} ms" for m, v in r.get("modes", {}).items()) + f", RSS {r['process_maxrss_mb']} MB")
        if factor != 1:
            shutil.rmtree(path, ignore_errors=True)  # gigabytes at 16x of a large subset
    shutil.rmtree(dirs.get(1, bench.tmp / "none"), ignore_errors=True)


def worker_clone(job: dict) -> dict:
    """Bigger corpora without hours of embedding: copy the 1x collection's rows N times with new ids and
    sources (copy 0 verbatim, copies 1.. with slightly perturbed vectors) into a new index dir through the
    store's own API, then let lexical.py sync its FTS table from the collection."""
    import numpy as np

    from assistant.config import Settings
    from assistant.store.chroma import Store
    from assistant.store.lexical import LexicalIndex, lexical_path

    sigma = float(job.get("sigma", PERTURB_SIGMA))
    source = Store(Settings(index_dir=Path(job["src"])))
    collection, info = source.require_active()
    ids, vectors, documents, metadatas = [], [], [], []
    page = 5000
    while True:
        got = collection.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=len(ids))
        ids.extend(got["ids"])
        vectors.extend(np.asarray(got["embeddings"], dtype=np.float32))
        documents.extend(got["documents"])
        metadatas.extend(got["metadatas"])
        if len(got["ids"]) < page:
            break
    base = np.stack(vectors) if vectors else np.zeros((0, info.dimension), dtype=np.float32)
    built = {"base_chunks": len(ids), "sigma": sigma}
    for factor, target in sorted(job["targets"].items(), key=lambda kv: int(kv[0])):
        factor = int(factor)
        settings = Settings(index_dir=Path(target))
        store = Store(settings, writable=True)
        new_info = dataclasses.replace(info, revision=secrets.token_hex(8), complete=True)
        new, new_info = store.create(new_info)
        batch = max(1, min(5000, store.client.get_max_batch_size()))
        rng = np.random.default_rng(factor)
        started = time.perf_counter()
        for copy in range(factor):
            if copy == 0:
                vecs, copy_ids, metas = base, ids, metadatas
            else:
                noisy = base + rng.normal(0.0, sigma, size=base.shape).astype(np.float32)
                vecs = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
                copy_ids = [f"{i}~x{copy}" for i in ids]
                metas = [{**m, "source": f"{m.get('source', '')}~x{copy}"} for m in metadatas]
            for start in range(0, len(copy_ids), batch):
                end = start + batch
                new.add(ids=copy_ids[start:end], embeddings=vecs[start:end], documents=documents[start:end],
                        metadatas=metas[start:end])
        add_s = time.perf_counter() - started
        store.update_info(new, new_info)
        started = time.perf_counter()
        lexical = LexicalIndex(lexical_path(settings, new.name))
        try:
            lexical.sync(new, new_info.revision)
        finally:
            lexical.close()
        built[f"{factor}x"] = {"chunks": new.count(), "chroma_add_s": round(add_s, 1),
                               "lexical_sync_s": round(time.perf_counter() - started, 1)}
    return built


def worker_query(job: dict) -> dict:
    """p50/p95 of Retriever.search per mode on one index; this process's peak RSS is the size's footprint."""
    import inspect

    started = time.perf_counter()
    from assistant.config import Settings
    from assistant.retrieve import retriever as retrieval

    retriever = retrieval.Retriever(Settings(index_dir=Path(job["index_dir"])))
    open_s = time.perf_counter() - started
    # After the timed open: importing any part of `assistant` loads the whole package first.
    from assistant.evaluate.metrics import percentile

    queries = json.loads(Path(job["queries"]).read_text())
    k = int(job.get("k", 5))
    modes = [(m, {"mode": m}, queries) for m in getattr(retrieval, "MODES", ("dense", "lexical", "hybrid"))]
    if "rescore" in inspect.signature(retriever.search).parameters:
        # Seconds per query (all-mpnet-base-v2 re-reads the top candidates): fewer questions.
        modes.append(("hybrid+rescore", {"mode": "hybrid", "rescore": True}, queries[: int(job.get("rescore_queries", 10))]))
    t = time.perf_counter()
    _ = retriever.lexical  # opens the FTS table and checks it is in sync (the clone worker synced it)
    lexical_open_s = time.perf_counter() - t
    t = time.perf_counter()
    retriever.embeddings.embed_query("warm-up")
    encoder_load_s = time.perf_counter() - t
    embed = []
    for q in queries:
        t = time.perf_counter()
        retriever.embeddings.embed_query(q)
        embed.append((time.perf_counter() - t) * 1000)
    out = {"chunks": retriever.collection.count(), "queries": len(queries), "k": k, "open_s": round(open_s, 3),
           "lexical_open_s": round(lexical_open_s, 3), "encoder_load_s": round(encoder_load_s, 3),
           "embed_query_p50_ms": rnd(percentile(embed, 0.5), 2), "modes": {}}
    for name, kwargs, questions in modes:
        if name == "hybrid+rescore":  # the footprint of plain search, before the second model is loaded
            out["maxrss_mb_before_rescore"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        try:
            t = time.perf_counter()
            retriever.search("warm-up " + queries[0], k=k, **kwargs)  # first use: HNSW load, rescorer model load
            warm_ms = (time.perf_counter() - t) * 1000
            if getattr(retriever, "_rescorer", None) is not None:
                # Re-read every candidate, as without `index --rescore mpnet`: the cost that
                # the prepared vectors remove (eval/reports has the prepared numbers).
                retriever._rescorer.cache = None
            lat = []
            for q in questions:
                t = time.perf_counter()
                retriever.search(q, k=k, **kwargs)
                lat.append((time.perf_counter() - t) * 1000)
            if not lat:  # percentile() would give None; recorded as this mode's error instead
                raise ValueError("no questions to time")
            out["modes"][name] = {"p50_ms": round(percentile(lat, 0.5), 1), "p95_ms": round(percentile(lat, 0.95), 1),
                                  "mean_ms": round(statistics.mean(lat), 1), "max_ms": round(max(lat), 1),
                                  "first_ms": round(warm_ms, 1), "queries": len(questions)}
        except Exception as exc:
            out["modes"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def markdown_d(d: dict, results: dict) -> list[str]:
    """Section d's part of bench.md, after its heading."""
    cfg = results.get("config", {})
    build = d.get("build") or {}
    lines = [
        "",
        "1× is the index that `assistant index` built in (a). The larger corpora are synthesised, not embedded: every "
        "row of the 1× Chroma collection (id, vector, document, metadata) is copied N times into a new collection "
        "created with the store's own API (`Store.create`) — copy 0 verbatim, copies 1..N-1 with new ids and sources "
        f"(`~xJ` suffixes) and the vector plus Gaussian noise (σ = {build.get('sigma', PERTURB_SIGMA)} per component), "
        "re-normalised, so no two vectors are identical. The documents are the same text, so the FTS5 posting lists "
        "grow N× too. `LexicalIndex.sync` then mirrors each collection into its FTS table, as the Retriever would.",
        "",
        f"Each size is measured in its own process: `Retriever(settings)` opened, warm-up (ONNX encoder, lexical open, "
        f"one search per mode), then `Retriever.search(q, k=5, mode=…)` timed for each of "
        f"{cfg.get('queries')} questions (query embedding included; hybrid+rescore, when the Retriever has it, on the "
        f"first {cfg.get('rescore_queries')} only: all-mpnet-base-v2 re-reads the top candidates, seconds per query). "
        "Peak RSS is that process's `ru_maxrss`: before the re-score model is loaded, and in all.",
        "",
        "| size | chunks | mode | queries | p50 ms | p95 ms | mean ms | first query ms | peak RSS | build (add / FTS sync) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, data in (d.get("sizes") or {}).items():
        if not isinstance(data, dict) or label == "errors":
            continue
        b_ = build.get(label) or {}
        built = f"{b_.get('chroma_add_s')} s / {b_.get('lexical_sync_s')} s" if b_ else "real indexer"
        rss = fmt(data.get("process_maxrss_mb"), " MB", 0)
        if data.get("maxrss_mb_before_rescore"):
            rss = f"{fmt(data['maxrss_mb_before_rescore'], ' MB', 0)} ({rss} with re-score)"
        for j, (mode, m) in enumerate(data.get("modes", {}).items()):
            first = j == 0
            if "error" in m:
                lines.append(f"| {label if first else ''} | {data.get('chunks') if first else ''} | {mode} | "
                             f"error: {m['error'][:100]} | | | | | {rss if first else ''} | {built if first else ''} |")
                continue
            lines.append(f"| {label if first else ''} | {data.get('chunks') if first else ''} | {mode} | "
                         f"{m.get('queries')} | {m['p50_ms']} | {m['p95_ms']} | {m['mean_ms']} | {m['first_ms']} | "
                         f"{rss if first else ''} | {built if first else ''} |")
    for label, error in ((d.get("sizes") or {}).get("errors") or {}).items():
        lines.append(f"\n{label} failed: `{error}`")
    emb = [f"{label}: {data.get('embed_query_p50_ms')} ms" for label, data in (d.get("sizes") or {}).items()
           if isinstance(data, dict) and "embed_query_p50_ms" in data]
    if emb:
        lines.append(f"\nQuery embedding alone (ONNX MiniLM) p50 — {'; '.join(emb)}.")
    lines += ["", "![query latency vs corpus size](bench-latency.png)"]
    return lines
