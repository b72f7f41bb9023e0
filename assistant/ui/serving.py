"""`assistant serve`: keep the local model loaded for `ask` and `chat` (providers/llms/background.py)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .app import app
from .failures import handles_errors
from .options import AsJson, Llm


@app.command()
@handles_errors
def serve(
    llm: Llm = None,
    idle: Annotated[float, typer.Option("--idle", min=0, metavar="MINUTES",
                                        help="Stop after this many minutes without a request (0: never).")] = 15,
    as_json: AsJson = False,
) -> None:
    """Keep the local model loaded for `ask` and `chat`.

    Listens on 127.0.0.1 with a random key, which only your user can read; `ask` and `chat`
    use it while it runs instead of loading the model each time. Stops after --idle minutes
    without a request, or on Ctrl-C."""
    from ..errors import UserError
    from ..providers.llms import check_model, check_spec
    from ..providers.llms.background import serve as run
    from . import render
    from .options import settings_from

    spec = settings_from(llm=llm).llm
    kind, arg = check_spec(spec)
    if kind != "local":
        raise UserError(f"assistant serve runs a local model (--llm local, local:0.5b or local:PATH), not {spec!r}")

    check_model(spec, on_progress=render.DownloadProgress("Assembling the local model (once)"))
    loading = render.status("Loading the model…")
    loading.__enter__()

    def ready(server, path) -> None:
        loading.__exit__(None, None, None)
        if as_json:
            print(json.dumps({"base_url": server.base_url, "model": str(server.model_path), "state": str(path),
                              "speculation": str(server.speculation), "idle_minutes": idle}), flush=True)
        else:
            render.line(render.out, f"Serving {render.name(server.model_path.name)} on {server.base_url} "
                                    f"({'until stopped' if not idle else f'until {idle:g} idle minutes'}; Ctrl-C stops it). "
                                    "`ask` and `chat` use it while it runs.")

    try:
        run(arg, idle, on_ready=ready)
    finally:
        loading.__exit__(None, None, None)
