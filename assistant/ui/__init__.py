"""The terminal: the command line, the chat REPL and how results look."""
