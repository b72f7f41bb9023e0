"""Answering: the chain, its prompts, and the checks before and after the model."""
