import numpy as np

from assistant.embeddings.minilm import onnx_path


def test_query_path_matches_sentence_transformers(embeddings):
    texts = ["Who claimed the Ahvaz attack?", "ISIS, which claimed the attack, on Sunday posted a video of three men. " * 3]
    fast = np.array(embeddings.embed_short(texts))
    reference = np.array(embeddings.embed_documents(texts))
    assert onnx_path().exists()
    assert fast.shape == (2, 384)
    assert np.allclose(fast, reference, atol=1e-4)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embeddings.embed_query(texts[0]), reference[0], atol=1e-4)
