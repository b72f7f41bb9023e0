"""Where chunks live: the Chroma collection and the keyword table beside it."""
