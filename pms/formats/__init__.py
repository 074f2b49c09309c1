"""Date formats per language, over Django's own (``FORMAT_MODULE_PATH``).

Only the input formats differ: the first one is how a date input shows its
date, and every one is accepted when typed. Django adds ISO (2026-11-29) to
each language's list by itself, so a pasted ISO date always parses; the API
(DRF) reads and writes ISO alone, whatever the language."""
