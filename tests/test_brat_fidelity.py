"""brat read and written as brat reads and writes it: one small synthetic case per rule of
annotation.conf, of .ann notes and attributes, and of the export (shared triggers, file names).
The real corpora these rules come from are tested in test_brat_real_corpora.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.codebook import CodebookSpec, read_codebook
from app.core.errors import AnnotationInputError
from app.core.interchange.brat import export_brat, import_brat
from app.core.interchange.brat_conf import parse_annotation_conf
from app.core.models import AnnotationNote, Mention
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from project_reads import events_of, mentions_of, row_counts

REAL = Path(__file__).parent / "data" / "brat" / "real"
TEXT = "IL-10 binds IL-10R1 and IL-10R2 in Turku.\n"


def _folder(tmp_path: Path, conf: str | None, ann: str, text: str = TEXT, name: str = "doc") -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    if conf is not None:
        (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    return folder


def _conf(tmp_path: Path, text: str):
    path = tmp_path / "annotation.conf"
    path.write_text(text, encoding="utf-8")
    conf = parse_annotation_conf(path)
    return conf, conf.resolve(CodebookSpec())


def _codebook(project) -> CodebookSpec:
    with project.read() as s:
        return read_codebook(s)


# --------------------------------------------------------------------------- annotation.conf


def test_alias_names_the_type_by_its_first_name(empty_project, tmp_path):
    conf = "[entities]\nProtein\n[events]\nHydroxylation|GO:0018126|Hydrox\tTheme:Protein\n"
    ann = "T1\tProtein 0 5\tIL-10\nT2\tHydroxylation 6 11\tbinds\nE1\tHydroxylation:T2 Theme:T1\n"
    [r] = import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    assert r.events == 1
    names = [t.name for t in _codebook(empty_project).event_types]
    assert "Hydroxylation" in names and not [n for n in names if "GO:" in n or n == "Hydrox"]


def test_real_alias_conf_gives_plain_type_names(tmp_path):
    conf = parse_annotation_conf(REAL / "configurations" / "BioNLP-ST-EPI.annotation.conf")
    names = [e.name for e in conf.events]
    assert "Hydroxylation" in names and "DNA_methylation" in names and not [n for n in names if "|" in n]


def test_macros_are_text_in_their_section(tmp_path):
    conf, spec = _conf(tmp_path, (
        "[entities]\nPerson\nOrganization\nGPE\n"
        "[events]\n<POG>=Person|Organization|GPE\n<WHERE>=Place-Arg?:GPE\n<NOTHING>=\n"
        "Die\tVictim:Person, Agent-Arg?:<POG>, <WHERE>, <NOTHING>\n"
        "[attributes]\nMention\tArg:<ENTITY>, Value:Name|Nominal\n"
    ))
    die = spec.event_type("Die")
    assert [(r.name, r.accepts) for r in die.roles] == [
        ("Victim", ["Person"]), ("Agent-Arg", ["Person", "Organization", "GPE"]), ("Place-Arg", ["GPE"])]
    assert conf.warnings == []


def test_a_macro_belongs_to_its_section(tmp_path):
    """brat forgets a section's macros at the next [section]: <POG> is not defined in [attributes]."""
    with pytest.raises(AnnotationInputError, match="needs Arg"):
        _conf(tmp_path, "[entities]\nPerson\n[events]\n<POG>=Person\nDie\tVictim:<POG>\n"
                        "[attributes]\nGeneric\tArg:<POG>\n")


def test_abstract_types_are_not_types_but_their_children_are(empty_project, tmp_path):
    conf = ("[entities]\n!Agent\n\tPerson\n\tOrganization\nGPE\n"
            "[events]\n!Life\n\tBe-born\tPerson-Arg:Person, Place-Arg?:GPE\n\tDie\tVictim:Agent\n")
    _, spec = _conf(tmp_path, conf)
    assert [t.name for t in spec.entity_types] == ["Person", "Organization", "GPE"]
    assert [e.name for e in spec.event_types] == ["Be-born", "Die"]
    assert spec.event_type("Die").roles[0].accepts == ["Person", "Organization"]  # the abstract one's children
    ann = "T1\tAgent 0 5\tIL-10\n"
    with pytest.raises(AnnotationInputError, match="unknown label 'Agent'"):
        import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")


@pytest.mark.parametrize("card, repeatable", [
    ("", False), ("?", False), ("+", True), ("*", True), ("{2}", True), ("{1}", False),
    ("{1-3}", True), ("{0-1}", False), ("{1-}", True), ("{0,3}", True),
])
def test_role_cardinality_keeps_repeatable(tmp_path, card, repeatable):
    _, spec = _conf(tmp_path, f"[entities]\nProtein\n[events]\nBinding\tTheme{card}:Protein\n")
    assert spec.event_type("Binding").roles[0].repeatable is repeatable


def test_repeatable_role_takes_numbered_repeats_and_single_role_refuses_them(empty_project, tmp_path):
    ann = ("T1\tProtein 0 5\tIL-10\nT2\tProtein 12 19\tIL-10R1\nT3\tProtein 24 31\tIL-10R2\n"
           "T4\tBinding 6 11\tbinds\nE1\tBinding:T4 Theme:T1 Theme2:T2 Theme3:T3\n")
    folder = _folder(tmp_path, "[entities]\nProtein\n[events]\nBinding\tTheme{1-3}:Protein\n", ann)
    [r] = import_brat(empty_project, folder, "alice")
    assert events_of(empty_project, r.document_id)[0][2] == [("Theme", "IL-10"), ("Theme", "IL-10R1"),
                                                             ("Theme", "IL-10R2")]
    other = tmp_path / "other"
    other.mkdir()
    (other / "annotation.conf").write_text("[entities]\nGene\n[events]\nBind\tTheme?:Gene\n", encoding="utf-8")
    (other / "d.txt").write_text(TEXT, encoding="utf-8")
    (other / "d.ann").write_text(ann.replace("Protein", "Gene").replace("Binding", "Bind"), encoding="utf-8")
    with pytest.raises(AnnotationInputError, match="Theme"):
        import_brat(empty_project, other, "alice")


def test_what_cannot_be_kept_is_one_line_per_kind_never_a_refusal(empty_project, tmp_path):
    conf = (
        "<LOOSE>=x\nstray line before any section\n"
        "[entities]\nProtein\nComplex\n"
        "[relations]\nPart-of\tArg1:Protein, Arg2:Complex\nMember-of\tArg1:Protein, Arg2:Complex\n"
        "Equiv\tArg1:Protein, Arg2:Protein, <REL-TYPE>:symmetric-transitive\n"
        "Equiv\tArg1:Complex, Arg2:Complex, <REL-TYPE>:symmetric-transitive\n"
        "<OVERLAP>\tArg1:Protein, Arg2:Complex, <OVL-TYPE>:contain\n"
        "ENTITY-NESTING\tArg1:Protein, Arg2:Complex\n"
        "[events]\nGene_expression\tTheme:Protein\n"
        "Positive_regulation\tTheme:<EVENT>|Protein, Cause?:<EVENT>|Protein\n"
        "Report\tEvent-Arg:<EVENT>\nExpress\tTheme:Protein|Organ_system\nFloat\tTheme:Nowhere\n"
        "[attributes]\nNegation\tArg:<EVENT>\nSure\tArg:Part-of\n"
        "[colours]\nProtein\tred\n[options]\nfoo\n"
    )
    ann = "T1\tProtein 0 5\tIL-10\n"
    [r] = import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    told = [m.split(": ", 1)[1] for m in r.messages if "annotation.conf: " in m]
    assert told == [
        "section(s) [colours], [options] not read (brat reads entities, relations, events, attributes)",
        "1 line(s) before the first [section] not read",
        "2 type(s) named but not defined in [entities] or [events] left out (Organ_system, Nowhere)",
        "1 role(s) or attribute(s) with no defined type left out (Float.Theme)",
        "1 attribute(s) of relations not kept yet (Sure)",
    ]
    spec = _codebook(empty_project)
    assert spec.event_type("Express").roles[0].accepts == ["Protein"]
    theme = spec.event_type("Positive_regulation").roles[0]  # Theme:<EVENT>|Protein: events and proteins
    assert theme.accepts == ["Protein"] and "Gene_expression" in theme.accepts_events
    assert spec.event_type("Report").roles[0].accepts == []  # Event-Arg:<EVENT>: events only
    assert spec.event_type("Float").roles == []  # never "any entity" for a role whose type is unknown
    assert spec.attribute("Sure", "mention") is None and spec.attribute("Sure", "event") is None


def test_conf_warnings_are_told_once_per_import(empty_project, tmp_path):
    conf = "[entities]\nProtein\n[relations]\nEquiv\tArg1:Protein, Arg2:Protein\n[colours]\n"
    folder = _folder(tmp_path, conf, "T1\tProtein 0 5\tIL-10\n", name="a")
    _folder(tmp_path, None, "T1\tProtein 6 11\tbinds\n", name="b")
    reports = import_brat(empty_project, folder, "alice")
    assert [sum("section(s)" in m for m in r.messages) for r in reports] == [1, 0]


def test_inherit_takes_the_parent_arguments(tmp_path):
    _, spec = _conf(tmp_path, "[entities]\nPerson\nGPE\n[events]\n!Move\tAgent?:Person, Place?:GPE\n"
                              "\tTravel\t<INHERIT>, Vehicle*:Person\n")
    assert [r.name for r in spec.event_type("Travel").roles] == ["Agent", "Place", "Vehicle"]


def test_real_configurations_read_without_refusal(tmp_path):
    for path in sorted((REAL / "configurations").glob("*.conf")):
        conf = parse_annotation_conf(path)
        spec = conf.resolve(CodebookSpec())
        assert spec.entity_types and spec.event_types, path.name
        assert len(conf.warnings) == len({w.split(" (")[0] for w in conf.warnings}) <= 6, conf.warnings
    ace = parse_annotation_conf(REAL / "configurations" / "NIST-ACE-05.annotation.conf")
    assert ace.events and all("<GENERAL-ARGUMENTS>" not in r.name for e in ace.events for r in e.roles)


# --------------------------------------------------------------------------- .ann notes and attributes


def test_relations_keep_notes_and_attributes_on_them_are_told_not_refused(empty_project, tmp_path):
    ann = ("T1\tProtein 0 5\tIL-10\nT2\tProtein 12 19\tIL-10R1\nR1\tPart-of Arg1:T1 Arg2:T2\t\n"
           "#1\tAnnotatorNotes R1\tIs this explicit?\nA1\tSure R1\nN1\tReference T1 UniProt:P22301\tIL10\n"
           "#2\tAnnotatorNotes N1\tchecked\n*\tEquiv T1 T2\n")
    conf = "[entities]\nProtein\n[relations]\nPart-of\tArg1:Protein, Arg2:Protein\n[attributes]\nSure\tArg:Part-of\n"
    [r] = import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    assert (r.mentions, r.relations, r.notes, r.attributes) == (2, 1, 1, 0)  # the note on R1 is kept
    assert r.references == 1  # N1 is kept; Equiv is no relation type here, so the * line is told
    assert [m for m in r.messages if "annotation.conf" not in m] == [
        "1 equivalence(s) of an unknown type, or of what the type does not accept, not kept yet (line 8)",
        "1 attribute(s) of relations not kept yet (A1)",
        "1 note(s) on normalisations not kept yet (N1)",
    ]


def test_note_on_an_id_the_file_lacks_is_still_refused(empty_project, tmp_path):
    folder = _folder(tmp_path, "[entities]\nProtein\n", "T1\tProtein 0 5\tIL-10\n#1\tAnnotatorNotes T9\tx\n")
    with pytest.raises(AnnotationInputError, match=r"doc\.ann:2: note on unknown id T9"):
        import_brat(empty_project, folder, "alice")
    assert row_counts(empty_project)["documents"] == 0


def test_notes_of_every_type_are_kept_with_their_type_and_written_back(empty_project, tmp_path):
    ann = ("T1\tProtein 0 5\tIL-10\n#1\tLemma T1\t il|10\n#2\tAnnotatorNotes T1\tCheck: protein or complex?\n"
           "#3\tAnnotatorNotes T1\t[x] looks typed\nT2\tProtein 12 19\tIL-10R1\n#4\tAnnotatorNotes T2\tplain  \n")
    [r] = import_brat(empty_project, _folder(tmp_path, "[entities]\nProtein\n", ann), "alice")
    assert r.notes == 3  # two owners with AnnotatorNotes, one typed note
    assert "typed notes kept: 1 Lemma" in r.messages
    assert "1 annotation(s) with several notes: kept one per line of the note" in r.messages
    with empty_project.read() as s:
        notes = [m.note for m in s.query(Mention).order_by(Mention.start)]
        typed = [(n.mention_id, n.type, n.text) for n in s.query(AnnotationNote)]
        first = s.query(Mention).order_by(Mention.start).first()
        assert first is not None
    assert notes == ["Check: protein or complex?\n[x] looks typed", "plain  "]  # the note holds AnnotatorNotes only
    assert typed == [(first.id, "Lemma", " il|10")]
    export_brat(empty_project, tmp_path / "out")
    lines = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("\t", 1)[1] for line in lines if line.startswith("#")) == sorted([
        "Lemma T1\t il|10", "AnnotatorNotes T1\tCheck: protein or complex?",
        "AnnotatorNotes T1\t[x] looks typed", "AnnotatorNotes T2\tplain  "])


def test_a_note_typed_by_hand_like_a_typed_note_stays_an_annotator_note(empty_project, tmp_path):
    """A coder's note "[word] text" is an AnnotatorNotes note (the previous release wrote it as a
    note of type `word`)."""
    import_brat(empty_project, _folder(tmp_path, "[entities]\nProtein\n", "T1\tProtein 0 5\tIL-10\n"), "alice")
    with empty_project.uow() as s:
        mention = s.query(Mention).one()
        mention.note = "[word] my own remark"
    export_brat(empty_project, tmp_path / "out")
    lines = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t", 1)[1] for line in lines if line.startswith("#")] == [
        "AnnotatorNotes T1\t[word] my own remark"]


def test_attribute_values_are_kept_exactly_on_import_and_export(empty_project, tmp_path):
    conf = "[entities]\nN\n[attributes]\nOTHER\tArg:<ENTITY>, Value:Typo+UNK|UNK|a:b\n"
    ann = "T1\tN 0 5\tIL-10\nA1\tOTHER T1 Typo+UNK\nT2\tN 12 19\tIL-10R1\nA2\tOTHER T2 a:b\n"
    import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    assert _codebook(empty_project).attribute("OTHER", "mention").values == ["Typo+UNK", "UNK", "a:b"]
    export_brat(empty_project, tmp_path / "out")
    written = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8")
    assert "A1\tOTHER T1 Typo+UNK\n" in written and "A2\tOTHER T2 a:b\n" in written
    out_conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "OTHER\tArg:<ENTITY>, Value:Typo+UNK|UNK|a:b\n" in out_conf and '"brat": "Typo-UNK"' not in out_conf


# --------------------------------------------------------------------------- export


def test_a_shared_trigger_is_one_t_line(empty_project, tmp_path):
    ann = ("T1\tProtein 0 5\tIL-10\nT2\tProtein 12 19\tIL-10R1\nT3\tBinding 6 11\tbinds\n"
           "E1\tBinding:T3 Theme:T1\nE2\tBinding:T3 Theme:T2\n#1\tAnnotatorNotes T3\ton the trigger\n")
    conf = "[entities]\nProtein\n[events]\nBinding\tTheme+:Protein\n"
    [r] = import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    assert [e[1] for e in events_of(empty_project, r.document_id)] == ["binds", "binds"]
    export_brat(empty_project, tmp_path / "out")
    lines = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8").splitlines()
    triggers = [line for line in lines if "\tBinding " in line]
    assert triggers == ["T3\tBinding 6 11\tbinds"]
    assert [line for line in lines if line.startswith("E")] == ["E1\tBinding:T3 Theme:T1", "E2\tBinding:T3 Theme:T2"]
    again = tmp_path / "again.annotary"
    from app.core.services.projects import init_project

    other = init_project(again, empty=True)
    try:
        [r2] = import_brat(other, tmp_path / "out", "bob")
        assert events_of(other, r2.document_id) == events_of(empty_project, r.document_id)
    finally:
        other.close()


def _add_docs(project, docs: list[tuple[str, str]]) -> None:
    with project.uow() as s:
        who = get_or_create_coder(s, "alice")
        for filename, text in docs:
            add_document(s, text, filename)
        assert who.id


@pytest.mark.parametrize("docs, expected", [
    ([("report.txt", "Report one.\n")], ["report"]),
    ([("Bericht über Turku.txt", "Zwei.\n")], ["Bericht über Turku"]),
    ([("a.txt", "First a.\n"), ("A.TXT", "Second a.\n")], ["0001_first-a", "0002_second-a"]),  # one name, ignoring case
    ([("feed.jsonl", "From doccano.\n")], ["0001_from-doccano"]),
    ([("con.txt", "Reserved.\n"), ("x:y.txt", "Colon.\n"), (".hidden.txt", "Hidden.\n")],
     ["0001_reserved", "0002_colon", "0003_hidden"]),
    ([("a.txt", "First.\n"), ("a.txt", "Second.\n"), ("0001_First.txt", "Third.\n")],  # doc 1's fallback name
     ["0001_first", "0002_second", "0003_third"]),
])
def test_export_keeps_original_file_names_when_safe_and_unique(empty_project, tmp_path, docs, expected):
    _add_docs(empty_project, docs)
    summary = export_brat(empty_project, tmp_path / "out")
    stems = sorted(p.stem for p in summary.files if p.suffix == ".ann")
    assert stems == sorted(expected)
    assert sorted(p.stem for p in summary.files if p.suffix == ".txt") == sorted(expected)


def test_original_name_round_trip_imports_the_same_files(empty_project, tmp_path):
    ann = "T1\tProtein 0 5\tIL-10\n"
    folder = _folder(tmp_path, "[entities]\nProtein\n", ann, name="PMID-10064103")
    import_brat(empty_project, folder, "alice")
    export_brat(empty_project, tmp_path / "out")
    assert (tmp_path / "out" / "PMID-10064103.ann").read_text(encoding="utf-8") == ann
    assert (tmp_path / "out" / "PMID-10064103.txt").read_text(encoding="utf-8") == TEXT
    assert mentions_of(empty_project, 1) == [("Protein", 0, 5, "IL-10")]
