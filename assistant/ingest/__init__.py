"""Reading corpora into articles, chunking them, and keeping the index in step with them."""
