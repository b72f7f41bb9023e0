"""A terminal assistant that answers questions about news articles, citing its passages.

The public surface is re-exported here; the modules behind it are free to change. The
stages, each in its own folder: ingest/ (read, chunk, index), store/ (Chroma and the
keyword table), retrieve/ (search, fuse, focus), answer/ (the chain and its checks),
evaluate/ (question sets and reports), ui/ (command line and chat); providers/ holds
the models, types.py the values that pass between them.
"""

from .answer.chain import Answerer
from .config import Settings
from .errors import UserError
from .ingest.indexer import IndexReport, run_index
from .ingest.readers import read_articles
from .retrieve.retriever import Retriever
from .types import Answer, Article, Citation, DateRange, Passage, Refusal, Turn

__all__ = [
    "Answer", "Answerer", "Article", "Citation", "DateRange", "IndexReport", "Passage", "Refusal", "Retriever",
    "Settings", "Turn", "UserError", "read_articles", "run_index",
]
