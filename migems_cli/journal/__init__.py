"""The decision journal: an append-only record of what `check` and `batch` decided.

`Entry` (entry.py) is one decision, immutable; a `Store` (store.py) appends entries and reads
them back, on SQLite (sqlite.py, the default: one file on one machine) or PostgreSQL
(postgres.py: one journal a team shares, through psycopg 3, imported only for a
`postgresql://` target). Nothing here updates or deletes an entry: a later decision is a new
entry. Nothing here is imported by a command run without a journal option.
"""
