"""The derived search index: schema, build, sync, facts read fast, search and snippets."""
