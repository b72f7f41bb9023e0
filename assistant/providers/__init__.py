"""The models behind the stages: embeddings, chat models, and the weights they load."""
