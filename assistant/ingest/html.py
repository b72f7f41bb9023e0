"""HTML pages: the article's text (trafilatura), its publication date (htmldate), title,
authors, site name and canonical URL.

trafilatura keeps the article body and drops menus, teasers and comments (extraction F1
0.96 against 0.80 for the whole <article> or <body> on the Article Extraction Benchmark's
dev half, README). Two things the earlier hand-written reader did better are kept:
- on a page with too little text for trafilatura's extractors it falls back to its
  "baseline", the whole page's text on one line, menus, byline and share bar included; a
  page that marks its article with <article> then gets that element's text instead;
- htmldate, given the whole page, takes a sidebar's <time> ("Popular, 1 Jan 2019") over
  the article's own date; it is given the page without <aside>, <nav> and <footer>, and a
  schema.org `itemprop="datePublished"` on any element (not only <meta>) is read after it.
"""

from __future__ import annotations

import re

from ..types import Article
from .dates import normalize_date
from .plain import first_line

_BLOCKS = ("p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
           "pre", "tr", "br", "header", "figcaption", "dd", "dt", "table", "ul", "ol")
_SIDE = "//aside|//nav|//footer|//*[@role='complementary']|//*[@role='navigation']"


def from_html(html: str, name: str, url: str = "") -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, include_comments=False,
                                      include_tables=True, deduplicate=False)
    text = getattr(doc, "text", None) or ""
    if (not text or text == trafilatura.baseline(html)[1]) and (marked := _article_element_text(html)):
        text = marked
    text = _paragraphs(text)
    title = (getattr(doc, "title", None) or "").strip() or first_line(text)
    if first_line(text) == title and len(text) > len(title):  # the headline travels with every chunk anyway
        text = text[len(title):].strip()
    authors = tuple(a.strip() for a in (getattr(doc, "author", None) or "").split(";") if a.strip())
    return Article(
        source=name,
        title=title[:300],
        text=text,
        published=published_date(html),
        url=(getattr(doc, "url", None) or url or "").strip(),
        authors=authors[:20],
        site=(getattr(doc, "sitename", None) or "").strip()[:200],
    )


def _paragraphs(text: str) -> str:
    """trafilatura writes one paragraph per line; a blank line between them, as the other readers do."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _article_element_text(html: str) -> str:
    """The text of the page's <article>, without scripts, menus and forms ("" if it has none)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article")
    if article is None:
        return ""
    for tag in article(["script", "style", "noscript", "template", "iframe", "svg", "nav", "footer", "form", "aside"]):
        tag.decompose()
    return fragment_text(article)


def fragment_text(node) -> str:
    """Text of an HTML fragment (a feed entry's content, an <article>): paragraphs apart,
    inline elements (<b>, <a>) inside their sentence."""
    from bs4 import BeautifulSoup

    if isinstance(node, str):
        node = BeautifulSoup(node, "html.parser")
        for tag in node(["script", "style", "noscript", "template", "iframe", "svg", "form"]):
            tag.decompose()
    for tag in node.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = node.get_text()
    blocks = (re.sub(r"\s+", " ", block).strip() for block in re.split(r"\n\s*\n", text))
    return "\n\n".join(block for block in blocks if block)


def published_date(html: str) -> str:
    """The page's publication date as an ISO day, by htmldate (no guessing from the text)."""
    import htmldate
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    for side in tree.xpath(_SIDE):
        if side.getparent() is not None:
            side.getparent().remove(side)
    try:
        found = htmldate.find_date(tree, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except (ValueError, RecursionError):
        found = None
    if found:
        return normalize_date(found)
    for tag in tree.xpath("//*[@itemprop='datePublished']"):
        if day := normalize_date(tag.get("content") or tag.get("datetime") or ""):
            return day
    return ""
