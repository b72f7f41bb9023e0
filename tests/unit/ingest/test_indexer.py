import pytest
from conftest import SEED_SOURCE

from assistant.config import Settings
from assistant.errors import IndexBusyError, IndexMismatchError, UserError
from assistant.ingest.indexer import index_lock, run_index
from assistant.store.chroma import IndexInfo, Store, all_ids, check_embeddings


def sources_in(settings):
    collection, _ = Store(settings).require_active()
    metadatas = collection.get(include=["metadatas"])["metadatas"]
    return sorted(m["source"] for m in metadatas)


def test_incremental_sync_embeds_only_what_changed(tmp_path, corpus, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    first = run_index(settings, [corpus], embeddings=embeddings)
    assert (first.sources_added, first.chunks_embedded) == (3, first.chunks_total)
    assert first.chunks_total > 3

    again = run_index(settings, embeddings=embeddings)  # no path: re-sync the recorded roots
    assert (again.chunks_embedded, again.chunks_deleted, again.sources_unchanged) == (0, 0, 3)
    assert again.chunks_total == first.chunks_total

    (corpus / "budget.txt").write_text("City council approves budget\n\nThe council approved a $3 billion budget.\n")
    (corpus / "storm.md").unlink()
    (corpus / "new.txt").write_text("Bridge reopens\n\nThe old bridge reopened to traffic on Friday.\n")
    changed = run_index(settings, embeddings=embeddings)
    assert (changed.sources_added, changed.sources_updated, changed.sources_removed, changed.sources_unchanged) == (1, 1, 1, 1)
    assert changed.chunks_embedded == 2  # one chunk each for the edited and the new article
    ids = all_ids(Store(settings).require_active()[0])
    assert len(ids) == len(set(ids)) == changed.chunks_total
    assert "storm.md" not in sources_in(settings) and "new.txt" in sources_in(settings)


def test_rebuild_replaces_the_collection(tmp_path, corpus, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    old, _ = Store(settings).require_active()
    report = run_index(settings, rebuild=True, embeddings=embeddings)
    new, info = Store(settings).require_active()
    assert new.name != old.name and info.complete
    assert report.chunks_embedded == report.chunks_total
    assert [c.name for c in Store(settings).client.list_collections()] == [new.name]


def test_missing_path_is_an_error_and_touches_nothing(tmp_path, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    with pytest.raises(UserError, match="does not exist"):
        run_index(settings, [tmp_path / "nope"], embeddings=embeddings)
    assert not (tmp_path / "index").exists()


def test_second_writer_is_refused_while_the_lock_is_held(tmp_path, corpus, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    with index_lock(settings.index_dir):
        with pytest.raises(IndexBusyError, match="another `assistant index`"):
            run_index(settings, [corpus], embeddings=embeddings)


def test_embedding_mismatch_is_refused():
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        check_embeddings(IndexInfo("sentence-transformers/all-MiniLM-L6-v2", 384), "openai/text-embedding-3-small", 1536)


def test_a_file_that_cannot_be_read_keeps_its_chunks(tmp_path, corpus, embeddings, monkeypatch):
    from assistant.ingest import readers

    settings = Settings(index_dir=tmp_path / "index")
    first = run_index(settings, [corpus], embeddings=embeddings)
    real = readers.read_bytes

    def flaky(path, name, warn, **options):  # an I/O error on one file (mode bits do not stop root)
        if name == "budget.txt":
            warn.cannot_read(name, PermissionError(13, "Permission denied"))
            return None
        return real(path, name, warn, **options)

    monkeypatch.setattr(readers, "read_bytes", flaky)
    again = run_index(settings, embeddings=embeddings)
    assert ("budget.txt", "unreadable (Permission denied)") in again.warnings
    assert again.chunks_deleted == 0 and again.chunks_total == first.chunks_total
    assert "budget.txt" in sources_in(settings)
    # Once it reads again and is gone for real, it goes.
    monkeypatch.setattr(readers, "read_bytes", real)
    (corpus / "budget.txt").unlink()
    assert run_index(settings, embeddings=embeddings).sources_removed == 1
    assert "budget.txt" not in sources_in(settings)


def test_a_folder_that_cannot_be_listed_keeps_its_chunks(tmp_path, corpus, embeddings, monkeypatch):
    import os

    (corpus / "sub").mkdir()
    (corpus / "sub" / "owl.txt").write_text("Owls at night\n\nAn owl hunted mice in the barn at night.\n")
    settings = Settings(index_dir=tmp_path / "index")
    first = run_index(settings, [corpus], embeddings=embeddings)
    real = os.scandir

    def locked(path="."):  # what a folder without read permission gives (mode bits do not stop root)
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", locked)
    again = run_index(settings, embeddings=embeddings)
    assert ("sub", "unreadable (Permission denied)") in again.warnings
    assert again.chunks_deleted == 0 and again.sources_removed == 0 and again.chunks_total == first.chunks_total
    assert "sub/owl.txt" in sources_in(settings)


def test_an_unsupported_file_named_on_its_own_is_skipped_not_indexed(tmp_path, corpus, embeddings):
    (tmp_path / "NOTES").write_text("Kangaroos\n\nKangaroos hop across the plain.\n")
    settings = Settings(index_dir=tmp_path / "index")
    report = run_index(settings, [tmp_path / "NOTES", corpus / "budget.txt"], embeddings=embeddings)
    assert any("unsupported type skipped" in reason for _, reason in report.warnings)
    assert set(sources_in(settings)) == {"budget.txt"}


def test_a_vanished_corpus_path_is_kept_and_a_rebuild_is_refused_until_told_what_to_keep(tmp_path, corpus, embeddings):
    import shutil

    from assistant.errors import UserError

    other = tmp_path / "other"
    other.mkdir()
    (other / "owl.txt").write_text("Owls at night\n\nAn owl hunted mice in the barn at night.\n")
    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    run_index(settings, [other], embeddings=embeddings)
    shutil.rmtree(other)  # or a disk that is not mounted today
    kept = run_index(settings, embeddings=embeddings)
    assert any(item == str(other) and "no longer exists; what was indexed from it is kept" in reason
               for item, reason in kept.warnings)
    before = sources_in(settings)
    assert "owl.txt" in before
    with pytest.raises(UserError, match="no longer exists, so --rebuild would drop"):
        run_index(settings, rebuild=True, embeddings=embeddings)
    assert sources_in(settings) == before
    rebuilt = run_index(settings, [corpus], rebuild=True, embeddings=embeddings)
    assert "owl.txt" not in sources_in(settings) and rebuilt.roots == [str(corpus)]
    assert run_index(settings, embeddings=embeddings).warnings == []


def test_a_rebuild_leaves_one_copy_of_the_vectors_on_disk(tmp_path, corpus, embeddings):
    import re
    import sqlite3

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    first = sources_in(settings)
    for _ in range(2):
        run_index(settings, rebuild=True, embeddings=embeddings)
    chroma = settings.index_dir / "chroma"
    folders = {p.name for p in chroma.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f-]{36}", p.name)}
    db = sqlite3.connect(chroma / "chroma.sqlite3")
    vector_segments = {row[0] for row in db.execute("SELECT id FROM segments WHERE scope = 'VECTOR'")}
    db.close()
    assert folders == vector_segments and len(folders) == 1  # Chroma alone leaves one folder per rebuild
    assert sources_in(settings) == first


def test_an_unchanged_resync_writes_no_records(tmp_path, corpus, embeddings):
    import sqlite3

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    path = settings.index_dir / "records.sqlite"
    before = sqlite3.connect(path).execute("select key, updated_at from upsertion_record order by key").fetchall()
    run_index(settings, embeddings=embeddings)
    after = sqlite3.connect(path).execute("select key, updated_at from upsertion_record order by key").fetchall()
    assert before and after == before


def test_an_unchanged_article_is_not_chunked_again(tmp_path, corpus, embeddings, monkeypatch):
    from assistant.ingest import indexer

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    chunked = []
    real = indexer.chunk_article
    monkeypatch.setattr(indexer, "chunk_article", lambda article, root: chunked.append(article.source) or real(article, root))
    assert run_index(settings, embeddings=embeddings).sources_unchanged == 3
    assert chunked == []
    (corpus / "budget.txt").write_text("City council approves budget\n\nThe council approved a $3 billion budget.\n")
    assert run_index(settings, embeddings=embeddings).sources_updated == 1
    assert chunked == ["budget.txt"]

    from assistant.ingest.records import Records

    (corpus / "storm.md").unlink()
    assert run_index(settings, embeddings=embeddings).sources_removed == 1
    collection, _ = Store(settings).require_active()
    assert sorted(Records(settings, collection.name).memo(str(corpus))) == [SEED_SOURCE, "budget.txt"]


def test_a_memo_that_disagrees_with_the_records_is_not_trusted(tmp_path, corpus, embeddings, monkeypatch):
    """Edit an article, die after its chunks were replaced but before the memo was
    updated, then revert the edit: the old memo matches the file again, but not the
    records, so the article is re-chunked and the index ends with the reverted text."""
    from assistant.ingest.records import Records

    settings = Settings(index_dir=tmp_path / "index")
    article = corpus / "budget.txt"
    original = article.read_text()
    run_index(settings, [corpus], embeddings=embeddings)
    article.write_text("City council approves budget\n\nThe council approved a $3 billion budget.\n")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Records, "remember", crash)
    with pytest.raises(KeyboardInterrupt):
        run_index(settings, embeddings=embeddings)
    monkeypatch.undo()
    article.write_text(original)
    report = run_index(settings, embeddings=embeddings)
    assert report.sources_updated == 1
    collection, _ = Store(settings).require_active()
    texts = collection.get(where={"source": "budget.txt"}, include=["documents"])["documents"]
    assert texts and all("$3 billion" not in text for text in texts)
    assert original.split("\n\n", 1)[1][:40] in " ".join(texts)


def test_a_run_killed_before_any_record_was_written_is_finished_by_the_next(tmp_path, corpus, embeddings, monkeypatch):
    """The crash marker is there but LangChain never created its records table."""
    from assistant.ingest.records import Records

    settings = Settings(index_dir=tmp_path / "index")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Records, "manager", killed)
    with pytest.raises(KeyboardInterrupt):
        run_index(settings, [corpus], embeddings=embeddings)
    assert (settings.index_dir / "indexing.json").exists()
    monkeypatch.undo()
    report = run_index(settings, embeddings=embeddings)
    assert report.sources_added == 3 and report.chunks_embedded == report.chunks_total > 0
    assert not (settings.index_dir / "indexing.json").exists()


def test_a_corpus_path_inside_or_around_an_indexed_one_is_refused(tmp_path, corpus, embeddings):
    # Indexing corpus/ and then corpus/sub/ used to store sub's articles twice, under two names.
    (corpus / "sub").mkdir()
    (corpus / "sub" / "owl.txt").write_text("Owls at night\n\nAn owl hunted mice in the barn at night.\n")
    settings = Settings(index_dir=tmp_path / "index")
    first = run_index(settings, [corpus, corpus], embeddings=embeddings)  # the same path twice: once
    assert (first.sources_added, first.sources_unchanged) == (4, 0)
    before = sources_in(settings)
    with pytest.raises(UserError, match=r"corpus path .*/sub is inside .*/corpus, which is indexed too.*re-sync everything"):
        run_index(settings, [corpus / "sub"], embeddings=embeddings)
    with pytest.raises(UserError, match="give only the outer one"):
        run_index(settings, [corpus, corpus / "sub"], rebuild=True, embeddings=embeddings)
    assert sources_in(settings) == before

    inner = Settings(index_dir=tmp_path / "inner")
    run_index(inner, [corpus / "sub"], embeddings=embeddings)
    with pytest.raises(UserError, match=r"holds .*/sub, which is indexed too.*assistant index --rebuild"):
        run_index(inner, [corpus], embeddings=embeddings)
    rebuilt = run_index(inner, [corpus], rebuild=True, embeddings=embeddings)  # what the message suggests
    assert rebuilt.roots == [str(corpus)] and sorted(sources_in(inner)) == before

    # A hidden folder is skipped by the outer walk, so it may be a corpus of its own.
    (corpus / ".drafts").mkdir()
    (corpus / ".drafts" / "draft.txt").write_text("Draft\n\nA draft about the harbour.\n")
    assert run_index(settings, [corpus / ".drafts"], embeddings=embeddings).sources_added == 1


def test_an_unreadable_item_in_one_corpus_does_not_stop_deletions_in_another(tmp_path, corpus, embeddings):
    other = tmp_path / "other"
    other.mkdir()
    (other / "owl.txt").write_text("Owls at night\n\nAn owl hunted mice in the barn at night.\n")
    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [other, corpus], embeddings=embeddings)
    (other / "moved.txt").symlink_to(tmp_path / "unmounted" / "moved.txt")  # other/ cannot be read whole
    (corpus / "budget.txt").unlink()
    report = run_index(settings, embeddings=embeddings)
    assert ("moved.txt", "unreadable (a link to nothing)") in report.warnings
    assert report.sources_removed == 1 and "budget.txt" not in sources_in(settings)


def test_a_small_update_is_embedded_without_loading_torch(tmp_path, corpus, embeddings):
    import json
    import subprocess
    import sys

    import numpy as np

    settings = Settings(index_dir=tmp_path / "idx")
    run_index(settings, [corpus], embeddings=embeddings)
    embeddings.embed_short(["x"])  # the ONNX export exists (it needs torch, once per machine)
    (corpus / "budget.txt").write_text("City council approves budget\n\nThe council approved a $3 billion budget.\n")
    # In a fresh process, which also reads the result back (Chroma clients cache what they saw).
    code = f"""
import json, sys
from pathlib import Path
from assistant.config import Settings
from assistant.ingest.indexer import run_index
from assistant.store.chroma import Store
settings = Settings(index_dir=Path({str(settings.index_dir)!r}))
report = run_index(settings, [Path({str(corpus)!r})])
torch = "torch" in sys.modules
stored = Store(settings).require_active()[0].get(where={{"source": "budget.txt"}}, include=["documents", "embeddings"])
print(json.dumps([report.chunks_embedded, torch, stored["documents"], [list(map(float, v)) for v in stored["embeddings"]]]))
"""
    embedded, torch, documents, vectors = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert embedded == 1 and torch is False
    reference = embeddings.model.encode(documents, normalize_embeddings=True)
    assert np.allclose(vectors, reference, atol=1e-4)  # the same vectors torch gives


def test_the_index_records_its_embedding_model_and_refuses_another(tmp_path, corpus, embeddings):
    from fakes import HashEmbeddings

    from assistant.retrieve.retriever import Retriever

    settings = Settings(index_dir=tmp_path / "index")
    fake = HashEmbeddings()
    report = run_index(settings, [corpus], embeddings=fake)
    assert report.chunks_embedded > 0 and fake.calls > 0
    _, info = Store(settings).require_active()
    assert (info.embeddings, info.dimension) == (HashEmbeddings.name, HashEmbeddings.dimension)
    # Words shared with the question are enough for these vectors to find the budget story.
    assert Retriever(settings, embeddings=fake).search("city council budget", k=1)[0].source == "budget.txt"
    with pytest.raises(IndexMismatchError):
        run_index(settings, embeddings=embeddings)
