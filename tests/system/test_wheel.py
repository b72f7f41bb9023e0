"""The package as others install it: a wheel, in a fresh virtualenv outside the checkout.

prompts/ and seeds/ sit at the top of the repository and must ship inside the wheel; an
editable install would hide their absence, so this builds the wheel, installs it into a
new virtualenv (its dependencies borrowed from the test venv, so nothing is downloaded)
and runs `index` and `ask` from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import SEED_SOURCE

from assistant.config import PROJECT_ROOT


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done


@pytest.mark.slow
@pytest.mark.llm
def test_the_wheel_installs_and_answers_outside_the_checkout(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    # --no-build-isolation: the venv's setuptools builds it, with no download.
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", PROJECT_ROOT,
        cwd=outside)
    wheel = next((tmp_path / "dist").glob("news_assistant-*.whl"))

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=outside)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=outside).stdout.strip())
    # The dependencies (torch, chromadb, the model pieces...) come from the test venv, after the
    # new venv's own packages; its .pth files are not read, so the editable checkout stays out.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, cwd=outside)

    env = {key: value for key, value in os.environ.items() if not key.startswith(("ASSISTANT_", "PYTHONPATH"))}
    env["ASSISTANT_INDEX_DIR"] = str(tmp_path / "index")
    where = run(python, "-c", "import assistant; print(assistant.__file__)", cwd=outside, env=env).stdout.strip()
    assert Path(where).is_relative_to(site), where

    assistant = venv / "bin" / "assistant"
    report = json.loads(run(assistant, "index", "--json", cwd=outside, env=env).stdout)  # no path: the shipped seeds
    assert report["sources_added"] == 1 and report["roots"][0].startswith(str(site))
    answer = json.loads(run(assistant, "ask", "Who claimed the Ahvaz attack?", "--json", cwd=outside, env=env).stdout)
    assert not answer["refused"] and "ISIS" in answer["answer"]  # the prompts shipped too
    assert [c["source"] for c in answer["citations"]] == [SEED_SOURCE]
