"""Verbatim .docx files: a guarded zip reader, the reader into cards, and the writer."""
