"""Full-text search over a contact's reference, names and description, in the database's own engine.

PostgreSQL: `websearch_to_tsquery('english', q)` against the stored, GIN-indexed tsvector. SQLite (the
embedded default): the FTS5 table case_search_fts, with the query turned into FTS5's syntax here.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, column, func, literal_column, select, table

from casework.queues.models import CaseSearchText

# SQLite's FTS5 index over case_search_text (created by casework_0006; no model describes it).
_fts = table("case_search_fts", column("rowid"), column("case_search_fts"))
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


def fts5_query(q: str) -> str | None:
    """Web-search words as an FTS5 query: words all present, "a phrase", `or` between, -word absent.

    None when nothing is left to look for (only punctuation, or only words to leave out).
    """
    groups: list[list[str]] = []
    absent: list[str] = []
    join_next = False
    for token in _TOKEN.findall(q):
        negated = token.startswith("-")
        words = _WORD.findall(token)
        if not words:
            continue
        if token.lower() == "or" and groups:
            join_next = True
            continue
        # Each term is quoted, so nothing the person typed is read as FTS5 syntax.
        term = '"' + " ".join(words) + '"'
        if negated:
            absent.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        return None
    query = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    return f"({query}) NOT ({' OR '.join(absent)})" if absent else query


_ENGLISH = literal_column("'english'")


def document(dialect: str, *texts: str | None):
    """What PostgreSQL stores to search these texts by (None on SQLite, whose FTS5 reads the columns)."""
    if dialect != "postgresql":
        return None
    return func.to_tsvector(_ENGLISH, " ".join(t for t in texts if t))


def reference_only(dialect: str):
    """The stored document once the words are gone: the reference, in SQL over the row's own column."""
    return func.to_tsvector(_ENGLISH, CaseSearchText.reference) if dialect == "postgresql" else None


def matching_references(dialect: str, q: str) -> Select | None:
    """The references whose words match `q`; None when `q` asks for nothing searchable."""
    if dialect == "postgresql":
        return select(CaseSearchText.reference).where(
            CaseSearchText.document.op("@@")(func.websearch_to_tsquery(_ENGLISH, q)))
    query = fts5_query(q)
    if query is None:
        return None
    matched = select(_fts.c.rowid).where(_fts.c.case_search_fts.op("MATCH")(query))
    return select(CaseSearchText.reference).where(CaseSearchText.id.in_(matched))


def among(dialect: str, q: str, references: list[str]) -> Select:
    """Which of these references have words matching `q` (a chunk of the cases a search walks)."""
    if dialect == "postgresql":
        return select(CaseSearchText.reference).where(
            CaseSearchText.reference.in_(references),
            CaseSearchText.document.op("@@")(func.websearch_to_tsquery(_ENGLISH, q)))
    matched = matching_references(dialect, q)
    return matched.where(CaseSearchText.reference.in_(references))
