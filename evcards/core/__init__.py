"""The card itself: its model, markup, cites and the pure transforms on it.

Imports only the base modules (errors, limits).
"""
