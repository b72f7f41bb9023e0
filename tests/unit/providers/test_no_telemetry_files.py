"""onnxruntime (1.2x, Linux) wrote a device id and a telemetry database under
~/.cache/Microsoft/DeveloperTools/ on its first session; the query encoder turns that off."""

import os
import subprocess
import sys

from assistant.config import cache_dir


def test_the_query_encoder_writes_nothing_under_the_users_cache(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
           "ASSISTANT_CACHE_DIR": str(cache_dir())}  # the exported model is shared; only onnxruntime's own files matter
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = ("from assistant.providers.embeddings.minilm import MiniLMEmbeddings\n"
            "assert len(MiniLMEmbeddings().embed_query('Who claimed the attack?')) == 384\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not (home / ".cache" / "Microsoft").exists(), sorted(str(p) for p in home.rglob("*"))
