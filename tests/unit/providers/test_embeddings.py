import numpy as np

from assistant.providers.embeddings.minilm import onnx_path


def test_query_path_matches_sentence_transformers(embeddings):
    texts = ["Who claimed the Ahvaz attack?", "ISIS, which claimed the attack, on Sunday posted a video of three men. " * 3]
    fast = np.array(embeddings.embed_short(texts))
    reference = embeddings.model.encode(texts, normalize_embeddings=True)  # sentence-transformers itself
    assert onnx_path().exists()
    assert fast.shape == (2, 384)
    assert np.allclose(fast, reference, atol=1e-4)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embeddings.embed_query(texts[0]), reference[0], atol=1e-4)


def test_a_small_update_is_embedded_like_a_bulk_one(embeddings, monkeypatch):
    texts = ["City council approves budget\nThe council approved a $3 billion budget on Tuesday."] * 3
    bulk = np.array(embeddings.embed_documents(texts))

    def no_torch():
        raise AssertionError("a small update should not need sentence-transformers")

    monkeypatch.setattr("assistant.providers.embeddings.minilm._sentence_transformer", no_torch)
    embeddings.expect(len(texts))
    try:
        small = np.array(embeddings.embed_documents(texts))
    finally:
        embeddings.expect(None)
    assert np.allclose(small, bulk, atol=1e-4)
