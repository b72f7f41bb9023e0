"""The wheel's package list names every package folder (tests/system/test_wheel.py builds it)."""

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

tomllib = pytest.importorskip("tomllib")


def test_every_package_folder_is_in_the_wheel():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(PROJECT_ROOT).parts) for p in (PROJECT_ROOT / "assistant").rglob("__init__.py")}
    assert folders <= set(config["packages"]), folders - set(config["packages"])
    # prompts/ and seeds/ stay at the top of the repository and ship inside the package.
    assert config["package-dir"]["assistant.prompts"] == "prompts" and config["package-dir"]["assistant.seeds"] == "seeds"
    assert any(Path(PROJECT_ROOT, "prompts").glob("*.txt")) and any(Path(PROJECT_ROOT, "seeds").iterdir())
