"""Every failure of a command as one line and an exit code (a traceback only with
ASSISTANT_DEBUG=1)."""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
import threading

import typer

from ..errors import NoSpaceError, Terminated, UserError, one_line


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def handles_errors(command):
    """One line and an exit code for user errors; a traceback only with ASSISTANT_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from . import render

        if threading.current_thread() is threading.main_thread():
            # `kill`, a service manager or a CI timeout: shut down as for Ctrl-C (locks
            # released, `finally` blocks run, one line), not silently at once.
            signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            render.error("interrupted")
            raise typer.Exit(130) from None
        except Terminated:
            render.error("interrupted (SIGTERM)")
            raise typer.Exit(143) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except PermissionError as exc:  # a read-only index, cache or report folder
            render.error(f"permission denied: {exc.filename or exc}")
            raise typer.Exit(2) from None
        except BrokenPipeError:
            # The reader went away (`assistant search ... | head`): nothing left to tell anyone.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except Exception as exc:
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            chroma_url = kwargs.get("chroma_url")
            if chroma_url and (type(exc).__module__ or "").startswith(("chromadb", "httpx", "httpcore")):
                # The Chroma server went away or failed in the middle of the command.
                render.error(f"the Chroma server at {chroma_url} failed: {type(exc).__name__}: "
                             f"{one_line(exc)}; what it stored so far is kept, run the command again")
                raise typer.Exit(6) from None
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):  # a cache or report folder
                error = NoSpaceError(os.path.dirname(exc.filename) if exc.filename else "the device")
                render.error(str(error))
                raise typer.Exit(error.exit_code) from None
            if isinstance(exc, OSError) and exc.filename:  # e.g. an index folder that cannot be made
                render.error(f"cannot use {exc.filename}: {exc.strerror or exc}")
                raise typer.Exit(2 if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EROFS, errno.EISDIR) else 1) from None
            render.error(f"unexpected {type(exc).__name__}: {one_line(exc)} (ASSISTANT_DEBUG=1 shows details)")
            raise typer.Exit(1) from None

    return wrapper
