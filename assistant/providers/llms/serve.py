"""Serve a local GGUF as an OpenAI-compatible endpoint on 127.0.0.1, for other tools on
this machine (and for the tests of the `openai:` path).

    python -m assistant.providers.llms.serve [--model 1.5b|0.5b|PATH] [--port N]

Prints one JSON line {"base_url", "api_key", "model"} and serves until killed. It only
ever binds to 127.0.0.1 and always requires the random key it prints.
"""

from __future__ import annotations

import argparse
import json
import threading

from .local import local_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assistant.providers.llms.serve")
    parser.add_argument("--model", default="", help="1.5b (default), 0.5b or a .gguf path")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    server = local_server(args.model, port=args.port)
    print(json.dumps({"base_url": server.base_url, "api_key": server.api_key, "model": "local"}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
