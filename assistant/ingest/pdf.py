"""PDF files (pypdf): the text of each page, in the order the page's content stream
writes it (column by column on the usual news layouts), with where each page begins, so
every chunk keeps its page number.

pypdf rather than PyMuPDF: BSD-licensed and pure Python (PyMuPDF is AGPL, which would
bind this project's licence, and ships a 20+ MB native library); it is slower, which
matters little next to embedding the text. Scanned pages have no text: there is no OCR.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

from ..errors import one_line
from ..text.safe import drop_controls
from ..types import Article
from .plain import first_line
from .problems import Problems

_PAGE_SEPARATOR = "\n\n"


def read_pdf(raw: bytes, name: str, warn: Problems) -> Article | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _unlocked(reader, name, warn):
            return None
        pages = list(reader.pages)
    except Exception as exc:  # pypdf raises many kinds of errors on a broken file
        warn(name, f"not a readable PDF ({type(exc).__name__}: {one_line(exc)[:200]})")
        return None
    text, starts = "", []
    for number, page in enumerate(pages, start=1):
        try:
            page_text = _clean(page.extract_text() or "")
        except Exception as exc:
            warn(f"{name}, p. {number}", f"unreadable page ({type(exc).__name__}); the other pages are kept")
            page_text = ""
        if text and page_text:
            text += _PAGE_SEPARATOR
        starts.append(len(text))
        text += page_text
    if not text.strip():
        warn(name, f"no text in its {len(pages)} page(s): a scanned or image-only PDF? (there is no OCR)")
        return None
    title, authors, published = _metadata(reader)
    return Article(source=name, title=(title or first_line(text))[:300], text=text, published=published,
                   authors=authors, pages=tuple(starts))


def _unlocked(reader, name: str, warn: Problems) -> bool:
    """Many 'encrypted' PDFs only restrict printing and open with an empty password."""
    try:
        if reader.decrypt(""):
            return True
    except Exception as exc:  # e.g. AES without the cryptography package
        warn(name, f"encrypted PDF that cannot be opened ({one_line(exc)[:200]})")
        return False
    warn(name, "encrypted PDF: it needs a password")
    return False


def _clean(text: str) -> str:
    text = drop_controls(text).replace("\u00ad", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _metadata(reader) -> tuple[str, tuple[str, ...], str]:
    """Title, authors and creation day from the document information, when they are real
    (a title such as 'Microsoft Word - draft3.docx' is a file name, not a headline)."""
    try:
        info = reader.metadata or {}
        title = drop_controls(str(info.get("/Title") or "")).strip()
        author = drop_controls(str(info.get("/Author") or "")).strip()
        created = reader.metadata.creation_date if reader.metadata else None
    except Exception:
        return "", (), ""
    if re.search(r"\.(docx?|pdf|indd|odt|tex)$|^Microsoft Word|^untitled", title, re.I):
        title = ""
    authors = tuple(a.strip() for a in re.split(r";|\band\b", author) if a.strip())[:20]
    published = created.date().isoformat() if isinstance(created, datetime) else ""
    return title, authors, published
