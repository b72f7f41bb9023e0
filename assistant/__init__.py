"""A terminal assistant that answers questions about news articles, citing its passages.

The public surface is re-exported here; the modules behind it are free to change.
"""

from .articles import Article, read_articles
from .chain import Answer, Answerer, Citation, Turn
from .config import Settings
from .errors import UserError
from .indexer import IndexReport, run_index
from .retrieval import DateRange, Passage, Retriever

__all__ = [
    "Answer", "Answerer", "Article", "Citation", "DateRange", "IndexReport", "Passage", "Retriever",
    "Settings", "Turn", "UserError", "read_articles", "run_index",
]
