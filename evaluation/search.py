"""Finding cases by what a user types: 案件编号, a mediator's name or a station's name.

Every term is a prefix, matched through an index on both backends (`network.db.text_prefix`),
so a search costs the matches, not the ledger (a `%term%` scan took 3.4 s at 10M cases). A
number is found from its beginning only, on both backends: the trigram index that found it
anywhere on PostgreSQL was dropped (migration 022) after the planner used it for the import's
look-up of existing 案件编号 (1,750 s instead of 0.9 s at 1M cases).
"""
from __future__ import annotations

import peewee as pw

from network.db import text_prefix
from network.models import Organization
from org.models import Mediator

from .models import Case


def term_matches(term: str) -> pw.Node:
    return (text_prefix(Case.case_no, term)
            | Case.mediator.in_(Mediator.select(Mediator.id)
                                .where(text_prefix(Mediator.name, term)))
            | Case.station.in_(Organization.select(Organization.id)
                               .where(text_prefix(Organization.name, term))))


def term_ids(term: str) -> pw.SelectQuery:
    """Ids of the cases matching `term`, as a UNION of one indexed query per way of matching:
    the same cases as `term_matches`, but an OR of sub-selects makes PostgreSQL read every
    case (hashed sub-plans cannot be combined through indexes)."""
    mediators = Mediator.select(Mediator.id).where(text_prefix(Mediator.name, term))
    stations = Organization.select(Organization.id).where(text_prefix(Organization.name, term))
    parts = [Case.select(Case.id).where(text_prefix(Case.case_no, term)),
             Case.select(Case.id).where(Case.mediator.in_(mediators)),
             Case.select(Case.id).where(Case.station.in_(stations))]
    union = parts[0]
    for part in parts[1:]:
        union = union | part
    return union


def matching_ids(text: str) -> pw.SelectQuery | None:
    """Ids of the cases matching every term of `text` (None: no term)."""
    found = None
    for term in text.split():
        ids = term_ids(term)
        found = ids if found is None else (found & ids)
    return found


def matching(query: pw.ModelSelect, text: str) -> pw.ModelSelect:
    """`query` narrowed to cases matching every whitespace-separated term of `text`."""
    for term in text.split():
        query = query.where(term_matches(term))
    return query
