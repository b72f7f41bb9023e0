"""Text utilities shared by the stages: sentences, words, safe display."""
