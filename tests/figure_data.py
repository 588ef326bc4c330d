"""Helpers of the figure tests: a project two coders coded in Arabic, Hindi and English, and the
figures' numbers counted again, independently, by plain SQL on the project's database."""

from collections import Counter

from sqlalchemy import text

from app.core.project import open_project
from app.core.services.workspace import Workspace
from team_coding import add_differences, as_login

EXTRA = {  # document -> (text to find, entity type, search from): alice's mentions in Hindi and English
    3: [("कर्मचारियों", "Worker group", 0), ("Zuckerberg", "Person", 0)],
    1: [("Meta", "Organization", 100), ("employees", "Worker group", 0)],
    2: [("ميتا", "Organization", 0)],
}


def code_more(address):
    """`coded_at` and `add_differences`, then alice tags mentions in the Hindi, English and Arabic seeds."""
    if not str(address).startswith("postgresql"):
        add_differences(address)
    with open_project(as_login(address, "alice")) as project:
        ws = Workspace(project, "alice")
        types = {t.name: t.id for t in ws.codebook.entity_types}
        for doc, needles in EXTRA.items():
            body = ws.document_text(doc)
            for needle, type_name, after in needles:
                i = body.index(needle, after)
                ws.tag(doc, body, i, i + len(needle), types[type_name], precise=True)


def sql_rows(project, query, **params):
    with project.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def coder_clause(coder):
    return "c.name = :coder" if coder else "c.name <> 'gold'"


def mentions_by_type_and_language(project, coder=None):
    return Counter({(t, lang): n for t, lang, n in sql_rows(project, f"""
        SELECT et.name, d.language, COUNT(*) FROM mentions m
        JOIN entity_types et ON et.id = m.entity_type_id JOIN documents d ON d.id = m.document_id
        JOIN coders c ON c.id = m.coder_id WHERE {coder_clause(coder)} GROUP BY et.name, d.language""",
        coder=coder)})


def events_by_type_and_modality(project, coder=None):
    return Counter({(t, v or "(none)"): n for t, v, n in sql_rows(project, f"""
        SELECT et.name, v.value, COUNT(*) FROM events e
        JOIN event_types et ON et.id = e.event_type_id JOIN coders c ON c.id = e.coder_id
        LEFT JOIN (SELECT eav.event_id, eav.value FROM event_attribute_values eav
                   JOIN attributes a ON a.id = eav.attribute_id AND a.name = 'Modality' AND a.target = 'event') v
               ON v.event_id = e.id
        WHERE {coder_clause(coder)} GROUP BY et.name, v.value""", coder=coder)})


def mention_texts(project, coder=None):
    return Counter({(t, lang, s): n for t, lang, s, n in sql_rows(project, f"""
        SELECT et.name, d.language, m.text, COUNT(*) FROM mentions m
        JOIN entity_types et ON et.id = m.entity_type_id JOIN documents d ON d.id = m.document_id
        JOIN coders c ON c.id = m.coder_id WHERE {coder_clause(coder)} GROUP BY et.name, d.language, m.text""",
        coder=coder)})


def event_roles(project, coder=None):
    """(event type, role) -> (filled, empty) for every role of every event type that has events."""
    out = {}
    for type_name, role, n_events, n_filled in sql_rows(project, f"""
        SELECT et.name, r.name,
               (SELECT COUNT(*) FROM events e JOIN coders c ON c.id = e.coder_id
                WHERE e.event_type_id = et.id AND {coder_clause(coder)}),
               (SELECT COUNT(*) FROM events e JOIN coders c ON c.id = e.coder_id
                WHERE e.event_type_id = et.id AND {coder_clause(coder)}
                  AND EXISTS (SELECT 1 FROM event_arguments a WHERE a.event_id = e.id AND a.role_id = r.id))
        FROM event_types et JOIN event_roles r ON r.event_type_id = et.id""", coder=coder):
        if n_events:
            out[(type_name, role)] = (n_filled, n_events - n_filled)
    return out
