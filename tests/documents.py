"""Real documents for the reader tests, written byte by byte: PDFs (text pages, two-column
pages, image-only pages, encrypted), RSS and Atom feeds, and HTML news pages."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape


def _pdf_string(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("—", "-")
    text = text.encode("ascii", "replace").decode()  # Helvetica's standard encoding: ASCII is safe
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _text_ops(lines: list[str], x: int, y: int) -> str:
    ops = [f"BT /F1 11 Tf 14 TL {x} {y} Td"]
    for line in lines:
        ops.append(f"{_pdf_string(line)} Tj T*")
    ops.append("ET")
    return "\n".join(ops)


def make_pdf(pages: list, title: str = "", author: str = "", created: str = "") -> bytes:
    """A PDF with one page per item: a list of lines, a (left, right) pair of line lists
    for a two-column page (the left column written first, as layout programs do), or
    None for a page with only a drawing (what a scan looks like to a text extractor)."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    catalog = add("")  # filled in below
    page_tree = add("")
    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for page in pages:
        if page is None:
            ops = "0.5 g 72 72 400 600 re f"
        elif isinstance(page, tuple):
            ops = _text_ops(page[0], 56, 760) + "\n" + _text_ops(page[1], 316, 760)
        else:
            ops = _text_ops(page, 72, 760)
        stream = ops.encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {page_tree} 0 R /MediaBox [0 0 612 792] "
                        f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>"))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {page_tree} 0 R >>".encode()
    objects[page_tree - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    info_items = [f"/{key} {_pdf_string(value)}" for key, value in (("Title", title), ("Author", author),
                                                                    ("CreationDate", created)) if value]
    info = add("<< " + " ".join(info_items) + " >>") if info_items else None

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = f"<< /Size {len(objects) + 1} /Root {catalog} 0 R" + (f" /Info {info} 0 R" if info else "") + " >>"
    out.write(b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypt_pdf(pdf: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rss(entries: list[dict], title: str = "Harbour Gazette", link: str = "https://news.test/") -> bytes:
    """RSS 2.0; each entry: title, link, published (a date or datetime), text, optional
    summary, author, and full=False to leave out content:encoded."""
    items = []
    for entry in entries:
        when = entry.get("published")
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        parts = [f"<title>{escape(entry['title'])}</title>"]
        if entry.get("link"):
            parts.append(f"<link>{escape(entry['link'])}</link><guid>{escape(entry['link'])}</guid>")
        if when:
            parts.append(f"<pubDate>{format_datetime(when.replace(tzinfo=when.tzinfo or timezone.utc))}</pubDate>")
        if entry.get("author"):
            parts.append(f"<dc:creator>{escape(entry['author'])}</dc:creator>")
        if entry.get("summary"):
            parts.append(f"<description>{escape(entry['summary'])}</description>")
        if entry.get("text") and entry.get("full", True):
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in entry["text"].split("\n\n"))
            parts.append(f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>")
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(title)}</title><link>{escape(link)}</link><description>News</description>"
            + "".join(items) + "</channel></rss>\n").encode()


def atom(entries: list[dict], title: str = "Valley Courier") -> bytes:
    items = "".join(
        f"<entry><title>{escape(e['title'])}</title><link href=\"{escape(e['link'])}\"/><id>{escape(e['link'])}</id>"
        f"<updated>{e['published']}T08:00:00Z</updated><published>{e['published']}T08:00:00Z</published>"
        f"<author><name>{escape(e.get('author', 'Staff'))}</name></author>"
        f"<content type=\"html\">{escape(''.join(f'<p>{p}</p>' for p in e['text'].split(chr(10) * 2)))}</content></entry>"
        for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>'
            f"<id>urn:test:feed</id><updated>2022-06-15T08:00:00Z</updated>{items}</feed>\n").encode()


def news_page(title: str, paragraphs: list[str], published: str = "", author: str = "", site: str = "",
              canonical: str = "", sidebar: str = "Most read: Council votes on parking fees. Weather: rain all week.") -> str:
    """A news page as sites write them: menus, a share bar, a sidebar and a footer around the article."""
    head = [f"<title>{escape(title)} | {escape(site or 'News')}</title>", f"<meta property='og:title' content='{escape(title)}'>"]
    if published:
        head.append(f"<meta property='article:published_time' content='{published}'>")
    if author:
        head.append(f"<meta name='author' content='{escape(author)}'>")
    if site:
        head.append(f"<meta property='og:site_name' content='{escape(site)}'>")
    if canonical:
        head.append(f"<link rel='canonical' href='{escape(canonical)}'>")
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head>{''.join(head)}</head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav></header>"
            f"<main><article><h1>{escape(title)}</h1><div class='byline'>By {escape(author or 'Staff')}</div>{body}"
            "<div class='share'>Share on Facebook · Share on X · Email</div></article>"
            f"<aside><h2>Most read</h2><p>{escape(sidebar)}</p></aside></main>"
            "<footer><p>© 2022 The Harbour Gazette. All rights reserved. Privacy · Terms · Cookies</p></footer></body></html>")
