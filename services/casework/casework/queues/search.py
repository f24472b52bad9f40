"""Full-text search over a contact's reference, names and description, in the database's own engine.

PostgreSQL: `websearch_to_tsquery('english', q)` against the GIN-indexed document. SQLite (the
embedded default): the FTS5 table case_search_fts, with the query turned into FTS5's syntax here.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, column, func, literal_column, select, table

from casework.queues.models import SEARCH_DOCUMENT, CaseSearchText

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


def matching_references(dialect: str, q: str) -> Select | None:
    """The references whose words match `q`; None when `q` asks for nothing searchable."""
    if dialect == "postgresql":
        return select(CaseSearchText.reference).where(
            SEARCH_DOCUMENT.op("@@")(func.websearch_to_tsquery(literal_column("'english'"), q)))
    query = fts5_query(q)
    if query is None:
        return None
    matched = select(_fts.c.rowid).where(_fts.c.case_search_fts.op("MATCH")(query))
    return select(CaseSearchText.reference).where(CaseSearchText.id.in_(matched))
