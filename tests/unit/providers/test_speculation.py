"""Speculative decoding settings (llms/local.py `Speculation`) reach llama.cpp's parameters."""

import pytest
import xllamacpp as xlc

from assistant.errors import UserError
from assistant.providers.llms import local
from assistant.providers.llms.local import LocalServer, Speculation

KINDS = xlc.common_speculative_type


class FakeServer:
    """Takes the CommonParams the real Server would load from; loads nothing."""

    def __init__(self, params) -> None:
        self.params = params
        self.listening_address = "http://127.0.0.1:1"


@pytest.fixture
def built(monkeypatch, tmp_path):
    monkeypatch.setattr(xlc, "Server", FakeServer)
    monkeypatch.setattr(local, "resolve_model", lambda arg, on_progress=None: tmp_path / f"{arg or 'main'}.gguf")

    def build(**kwargs) -> xlc.CommonParams:
        return LocalServer(tmp_path / "main.gguf", **kwargs).server.params

    return build


def test_the_settings_are_parsed_and_named_back():
    assert Speculation.parse("off") == Speculation()
    assert Speculation.parse("ngram:4:3").ngram == (4, 3)
    both = Speculation.parse("ngram:5:2+draft:6")
    assert both.ngram == (5, 2) and both.draft_model == "0.5b" and both.draft_max == 6
    assert str(both) == "ngram:5:2+draft:6" and str(Speculation()) == "off"
    assert Speculation.parse("ngram").ngram == local.NGRAM
    for bad in ("ngram:0:3", "ngram:4", "draft:x", "eagle", "ngram:4:3:2"):
        with pytest.raises(UserError, match="ASSISTANT_SPECULATIVE"):
            Speculation.parse(bad)


def test_prompt_lookup_and_a_draft_model_reach_the_common_params(built, tmp_path):
    params = built(speculate=Speculation.parse("ngram:4:3+draft:5"))
    spec = params.speculative
    assert list(spec.types) == [KINDS.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE, KINDS.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
    assert (spec.ngram_simple.size_n, spec.ngram_simple.size_m) == (4, 3)
    assert spec.draft.mparams.path == str(tmp_path / "0.5b.gguf") and spec.draft.n_max == 5
    assert params.endpoint_metrics  # the benchmarks and the stop test read llama.cpp's counters


def test_no_drafts_and_the_start_up_switches(built, monkeypatch):
    params = built(speculate=Speculation(), warmup=False, repack=False)
    assert list(params.speculative.types) == [KINDS.COMMON_SPECULATIVE_TYPE_NONE]
    assert not params.warmup and params.no_extra_bufts
    monkeypatch.setenv("ASSISTANT_SPECULATIVE", "ngram:6:2")
    assert built().speculative.ngram_simple.size_n == 6  # the environment picks the default
