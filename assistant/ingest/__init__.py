"""Reading corpora into articles, chunking them, and keeping the index in step with them."""

import logging

# The readers' libraries log about pages ("discarding data", "EOF marker not found"); with
# no handler Python would print that on the terminal. What matters reaches the user as one
# warning naming the item.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer", "pypdf", "feedparser"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False
