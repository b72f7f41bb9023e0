"""Finding the passages for a question and focusing them into numbered excerpts."""
