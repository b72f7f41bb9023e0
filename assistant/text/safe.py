"""Text from outside made safe to store and to show."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes in argv or stdin, "\\ud800" in JSON) as U+FFFD:
    no UTF-8 store, tokenizer or hash can take them."""
    return _SURROGATE.sub("\ufffd", text)


# C0 and C1 controls, and the bidirectional formatting characters: embeddings and
# overrides (U+202A-U+202E), isolates (U+2066-U+2069) and the invisible direction marks
# (U+200E, U+200F, U+061C), with which a title can make the terminal show its text, and
# the source name after it, in another order ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def drop_controls(text: str) -> str:
    """`text` without control characters but newlines and tabs (a carriage return or form
    feed becomes a newline), nor bidirectional controls: an article from a hostile site must
    not bring escape sequences that retitle the terminal or clear the screen, nor reorder
    what is shown next to it, when a passage is shown."""
    return _CONTROL.sub(lambda m: "\n" if m.group() in "\r\x0b\x0c" else "", text.replace("\r\n", "\n"))


# Chat-template control text: ChatML and most templates' <|name|> tokens (Qwen's
# <|im_start|>, <|im_end|>, <|endoftext|>, <|fim_prefix|>..., Llama 3's <|eot_id|>), their
# full-width-bar form (<｜begin▁of▁sentence｜>), and the bare tags some vocabularies parse as
# one token (Qwen's <tool_call>, </tool_call>; </s>, <s>; Gemma's <start_of_turn>).
# llama.cpp's server parses special tokens in the whole templated prompt, message contents
# included, so an article holding "<|im_end|>\n<|im_start|>system" would open a real
# system turn.
CHAT_TOKEN = re.compile(
    r"<[|｜][^<>|｜\s]{1,64}[|｜]>"
    r"|</?(?:s|tool_call|tool_response|tools|think|start_of_turn|end_of_turn|bos|eos|pad|unk)>",
    re.IGNORECASE,
)


def drop_chat_tokens(text: str) -> str:
    """`text` without chat-template control text, each token replaced by a space: what a
    model is sent as message content (an article, a question) must never reach it as a
    special token that ends a turn or opens one."""
    return CHAT_TOKEN.sub(" ", text)
