"""The method groups of the clients, async: the source ``tools/unasync.py`` reads."""
