#!/usr/bin/env python
"""Article-body extraction on the Article Extraction Benchmark's dev half, scored by the
benchmark's own evaluate.py (shingle F1, precision, recall).

    .venv/bin/python benchmarks/extraction.py [--data ../shared/evaldata/article-extraction]

Copies the data to a temp dir (the shared copy is never written to), writes one
prediction file per extractor into its output/, and prints evaluate.py's table:
  assistant    the HTML reader as indexed (assistant/ingest/html.py), from the bytes as
               the indexer decodes them;
  trafilatura  plain trafilatura.extract(bytes), its defaults.
Nothing here is tuned to these pages; the other half of the benchmark is held out.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "evaldata" / "article-extraction")
    args = parser.parse_args()
    import trafilatura

    from assistant.ingest.files import decode
    from assistant.ingest.html import from_html
    from assistant.ingest.problems import Problems

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "article-extraction"
        shutil.copytree(args.data, work, copy_function=shutil.copyfile)
        work.chmod(0o755)  # the shared copy has no write bits, and copytree copies the folder's
        truth = json.loads((work / "ground-truth.json").read_text())
        predictions: dict[str, dict] = {"assistant": {}, "trafilatura": {}}
        for key in truth:
            raw = gzip.decompress((work / "html" / f"{key}.html.gz").read_bytes())
            text = decode(raw, key, Problems()) or ""
            predictions["assistant"][key] = {"articleBody": from_html(text, key).text}
            predictions["trafilatura"][key] = {"articleBody": trafilatura.extract(raw) or ""}
        (work / "output").mkdir(exist_ok=True)
        for name, output in predictions.items():
            (work / "output" / f"{name}.json").write_text(json.dumps(output))
        subprocess.run([sys.executable, "evaluate.py"], cwd=work, check=True)


if __name__ == "__main__":
    main()
