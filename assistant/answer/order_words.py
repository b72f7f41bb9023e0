"""The words and patterns `orders.py` looks for: prompt markup and the genre's idioms, words
for machines, for answering and for what a prompt is made of, and a few words in French,
Spanish, German, Italian, Portuguese, Dutch and Polish."""

from __future__ import annotations

import re

from ..text.safe import CHAT_TOKEN
from .refusals import REFUSAL

# ---------------------------------------------------------------------------- markup

MARKUP = re.compile(
    CHAT_TOKEN.pattern
    + r"|<\s*/?\s*passage\b|\[/?INST\]|<</?SYS>>|\[\s*(?:system|assistant|developer|admin)\s*(?:prompt|message|note)?\s*\]"
    r"|^\W{0,3}#{2,}\s*(?:system|instructions?|response|assistant|user)\b"
    r"|\b(?:system|developer)\s+(?:note|prompt|message|instructions?|override)\s*:"
    r"|" + re.escape(REFUSAL.rstrip(".")).replace("'", "['’]?"),
    re.IGNORECASE | re.MULTILINE,
)
# A chat role's label ("SYSTEM:", "Assistant:"), which product listings use too ("System:
# Nintendo Switch"): an order only when what follows talks of answers, instructions or "you".
ROLE_LABEL = re.compile(r"^\W{0,3}(?:system|assistant|user|human|model|instructions?)\s*(?:prompt|message)?\s*:\s*(.*)",
                         re.IGNORECASE | re.DOTALL)
ROLE_TALK = re.compile(r"\b(?:you|your|answer\w*|repl\w*|respon\w*|questions?|instructions?|prompts?|rules|"
                        r"ignore|disregard|priority|override|say|output)\b", re.IGNORECASE)
# Idioms of the genre, whatever the parse makes of them.
IDIOMS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:(?:your|my|previous|prior|above|earlier|preceding|system|other)\s+)*"
    r"(?:instructions?|rules|directions|prompts?|guidelines|passages?)\b"
    r"|\bthe\s+only\s+correct\s+answer\b"
    r"|\b(?:correct|right|only|true|real|official)\s+(?:answer|response|reply)\s+to\s+(?:any|every|all|each)\b"
    r"|\byour\s+(?:answer|response|reply|output)\s+(?:to|for)\s+(?:any|every|all|each)\b"
    r"|\b(?:your|any|every|each|all)\s+(?:correct\s+|right\s+|final\s+)?(?:answers?|repl(?:y|ies)|responses?|summar(?:y|ies))\s+"
    r"(?:should|must|shall|has\s+to|have\s+to|needs?\s+to|is\s+to|are\s+to)\s+(?:always\s+|only\s+)?"
    r"(?:be|say|read|state|include|mention|contain|name|begin|start|end)\b"
    r"|\byou\s+(?:must\s+now|will\s+now|have\s+no\s+(?:rules|restrictions|guidelines|limits|filters))\b"
    r"|\byou\s+are\s+now\s+(?:(?-i:[A-Z])\w*(?!\w)(?<!I)|in\s+\w+\s+mode|(?:a|an)\s+(?:\w+\s+)?(?:AI|assistant|model|bot|chatbot|persona))"
    r"|\bfrom\s+now\s+on,?\s+you\b"
    r"|\b(?:previous|prior|earlier|above|old|all|any|other)\s+(?:instructions?|guidance|guidelines|rules|directions|prompts?)\s+"
    r"(?:is|are|were|has\s+been|have\s+been)\s+(?:now\s+)?(?:void|null|cancell?ed|revoked|obsolete|superseded|overridden|invalid)"
    r"|\bnew\s+instructions?\s+(?:take|takes|have|has)\s+(?:priority|precedence)"
    r"|\b(?:begin|end|start)\s+(?:of\s+)?(?:the\s+)?(?:system|developer|hidden)\s+(?:message|prompt|instructions?)\b",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------- machines

MACHINE_WORDS = (r"(?:AI|A\.I\.|LLMs?|GPTs?|ChatGPT|chat\s?bots?|bots?|assistants?|summari[sz]ers?|copilots?"
                  r"|(?:AI|large|artificial|automated|automatic|machine|language|generative)[\s-]+"
                  r"(?:models?|systems?|tools?|readers?|agents?|programs?|software|engines?|assistants?|summari[sz]ers?))")
# "Note to AI assistants:", "Editor's note for AI systems:", "Dear chatbot,", "To any AI reading this:".
MACHINE_LABEL = re.compile(
    r"^\W{0,3}(?:(?:(?:editor|publisher)['’]?s?|an?|the|important|urgent|special|private|hidden)\s+)*"
    r"(?:note|message|memo|instructions?|reminder|notice|warning|request|nb|p\.?s\.?)\s+(?:to|for)\s+(?:all\s+|any\s+|the\s+)?"
    + MACHINE_WORDS + r"\b[^:.!?\n]{0,30}?(?::|\s[—–-]\s)"
    r"|^\W{0,3}(?:dear|attention|attn|hey|hello|hi)\W+(?:all\s+|any\s+)?" + MACHINE_WORDS + r"\s*[:,]"
    r"|^\W{0,3}(?:to|for)\s+(?:all\s+|any\s+|the\s+)?" + MACHINE_WORDS + r"\b[^:.!?\n]{0,30}?:"
    r"|^\W{0,3}(?:all\s+|any\s+)?" + MACHINE_WORDS + r"\s+(?:that\s+|who\s+)?(?:read|reading|process|processing|summari[sz]e|"
    r"summari[sz]ing|pars(?:e|ing)|index(?:ing)?|see|seeing)\s+this\b[^:.!?\n]{0,30}?:",
    re.IGNORECASE,
)
STRONG_MACHINE = {"assistant", "chatbot", "bot", "ai", "a.i.", "llm", "gpt", "chatgpt", "copilot", "summariser",
                   "summarizer", "summarizers", "summarisers", "chatbots", "assistants", "bots", "llms"}
WEAK_MACHINE = {"model", "system", "tool", "program", "programme", "software", "reader", "agent", "engine", "crawler",
                 "scraper", "service", "application", "app", "intelligence", "machine"}
MACHINE_MODIFIER = {"ai", "a.i.", "language", "automated", "automatic", "machine", "artificial", "generative", "llm",
                     "summarisation", "summarization", "large", "chat"}

# ---------------------------------------------------------------------------- verbs and nouns

# Verbs that produce an answer: a directive with one of these tells the reader what to write.
ANSWERING = {"answer", "reply", "respond", "output", "print", "cite", "repeat", "append", "return", "refuse", "decline"}
SAYING = {"say", "state", "write", "tell", "mention", "include", "add", "insert", "report", "claim", "call", "name",
           "describe", "give", "use", "begin", "start", "end", "treat", "summarise", "summarize",
           "link", "attribute", "list", "provide", "identify"}
OVERRIDING = {"ignore", "disregard", "forget", "override", "bypass", "skip", "obey", "pretend", "act", "roleplay"}
PLAYING = {"pretend", "act", "roleplay"}
ACTIONS = ANSWERING | SAYING | OVERRIDING
# What a prompt is made of.
TASK = {"question", "answer", "response", "reply", "prompt", "instruction", "passage", "summary", "citation", "query",
         "rule", "guideline", "directive", "context", "output"}
# The nouns that carry what to answer: "with the single word X", "include the link".
ANSWER_NOUNS = {"word", "words", "link", "url", "phrase", "sentence", "answer", "response", "reply", "string",
                 "text", "name", "number", "figure", "message"}
TEXT_NOUNS = {"bulletin", "article", "text", "page", "passage", "statement", "document", "story", "report", "post",
               "message", "note", "release", "item", "content", "feed", "site", "website", "email", "summary", "briefing"}
READING = {"read", "summarise", "summarize", "process", "parse", "index", "scrape", "crawl", "ingest", "see", "analyse",
            "analyze", "use", "quote", "cite"}
OBLIGATION = {"must", "should", "shall", "ought", "need", "needs"}
REQUESTING = {"ask", "request", "urge", "invite", "instruct", "tell", "want", "remind", "beg", "order", "direct", "require",
               "encourage", "advise"}
REQUIRED = {"require", "instruct", "expect", "ask", "tell", "direct", "order", "request", "advise", "urge", "oblige"}
QUANTIFIED = re.compile(r"\b(?:any|every|all|each)\s+(?:\w+\s+){0,2}?(?:questions?|quer(?:y|ies)|requests?|prompts?|users?"
                         r"|answers?|responses?|repl(?:y|ies)|summar(?:y|ies))\b",
                         re.IGNORECASE)
ANSWERING_TALK = re.compile(r"\b(?:answer(?:s|ed|ing)?|repl(?:y|ies|ying)|respond(?:s|ing)?|responses?|summar\w+"
                             r"|(?:when|if|whenever)\s+(?:you\s+are\s+|being\s+)?asked)\b", re.IGNORECASE)
WHEN_ASKED = re.compile(r"\b(?:when|if|whenever|once)\s+(?:you\s+are\s+|being\s+)?(?:asked|questioned|queried)\b", re.IGNORECASE)
SINGLE = re.compile(r"['‘](?=\S)[^'‘’\n]{1,200}?(?<=\S)['’](?![\w])")
QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“", "‹": "›", "「": "」"}

# ---------------------------------------------------------------------------- other languages

ENGLISH = {"the", "a", "an", "and", "of", "to", "in", "is", "are", "was", "were", "that", "for", "with", "on", "it",
            "this", "by", "as", "be", "at", "from", "has", "have", "had", "said", "not", "will", "would", "who", "which",
            "his", "her", "their", "they", "he", "she", "we", "you", "your", "or", "but", "its", "after", "about", "i",
            "me", "my", "may", "can", "if", "no", "so", "do", "did", "what", "how", "our", "us"}
# The commonest function words of French, Spanish, German, Italian, Portuguese, Dutch and Polish.
OTHER = set("""le la les des du un une et est dans pour qui que sur pas au aux ce cette toutes tous vous votre
    el los las del y en por con una es lo su sus todas todos usted
    der die das den dem und ist nicht ein eine mit von zu auf sich alle ihre sie
    il di che per non sono della gli le tutte tutti e
    o os da do das dos em um uma não com se ao às
    de het een en van dat niet zijn je alle
    w z na nie się jest że""".split())
IGNORE = r"(?:ignor\w*|oubli\w*|olvid\w*|vergiss\w*|vergessen|dimentic\w*|esquec\w*|negeer\w*|zignoruj\w*|pomi\w*)"
INSTRUCTIONS = (r"(?:instru\w*|istruzion\w*|anweisung\w*|consignes?|indicaciones|r[eè]gles?|reglas?|regeln?|regras?"
                 r"|direttiv\w*|richtlijn\w*|polece\w*)")
ANSWER = (r"(?:r[ée]pon\w*|respon\w*|rispon\w*|antwort\w*|beantwort\w*|antwoord\w*|odpowi\w*"
           r"|di[st]es|sagen?|sag|d[ií]gales?|diga|dica|d[ií]|dis)")
QUESTION = r"(?:questions?|preguntas?|fragen?|domand[ae]|perguntas?|vragen?|pytani\w*)"
EVERY = r"(?:toute?s?|tous|chaque|cualquier\w*|todas?|todos?|cada|jede[nrms]?|alle[ns]?|ogni|qualsiasi|tutt[ei]|qualquer|elke|każd\w*)"
ONLY = r"(?:uniquement|seulement|[uú]nicamente|solamente|nur|soltanto|solo|apenas|alleen|tylko)"
AI_ABBREVIATION = r"(?:IA|KI|AI)"  # in capitals only: "ia", "ki" are words
AI = (r"(?:assistant\w*|asistente\w*|assistent\w*|chatbot\w*|mod[eè]les?\s+de\s+langage|modelos?\s+de\s+(?:lenguaje|linguagem)"
       r"|sprachmodell\w*|modell[oi]\s+linguistic\w*|taalmodel\w*|model\w*\s+j[eę]zykow\w*)")


def has(pattern: str, text: str, flags: int = re.IGNORECASE) -> bool:
    return re.search(r"(?<!\w)" + pattern + r"(?!\w)", text, flags) is not None


def english(sentence: str) -> bool:
    """Whether the sentence reads as English: no fewer of its words are English function
    words than those of the other languages above."""
    words = re.findall(r"[^\W\d_]+", re.sub(r"\S*(?:://|www\.)\S*", " ", sentence.lower()))
    return sum(w in ENGLISH for w in words) >= sum(w in OTHER and w not in ENGLISH for w in words)


def foreign_orders(sentence: str, loose: bool) -> bool:
    ignore, instructions = has(IGNORE, sentence), has(INSTRUCTIONS, sentence)
    answer = has(ANSWER, sentence)
    machine = has(AI_ABBREVIATION, sentence, 0) or has(AI, sentence)
    return ((ignore and instructions) or (machine and (answer or instructions or loose))
            or (answer and (has(ONLY, sentence) or has(EVERY + r"\s+(?:\w+\s+){0,2}?" + QUESTION, sentence))))
