"""Who said what: the speaker of each sentence, names matched across mentions, the
statements about a topic grouped by speaker, and what a question asks about a speaker."""
