"""Importing plain-text documents: encodings, normalisation, rejects, duplicates, folders."""

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core import bounded_read
from app.core.decoding import MAX_IMPORT_BYTES, almost_utf8
from app.core.models import Document
from app.core.paths import seeds_dir
from app.core.services.documents import collect_paths, import_file
from app.core.text import sha256_text

ARABIC = (
    "قالت شركة OpenAI إن موظفيها سيعودون إلى العمل الأسبوع المقبل بعد إجازة لمدة أسبوع، "
    "في ظل منافسة شديدة من Meta على المواهب.\n"
)
HINDI = "Scale AI ने इस हफ्ते अपने Dallas ऑफिस में मौजूद कॉन्ट्रैक्टरों की एक पूरी टीम को हटा दिया है।\n"
FRENCH = "Café déjà vu : l'équipe a été réorganisée après la décision. Ça coûte 5 € par employé.\n"


def _docs(project):
    with project.read() as session:
        return session.scalars(select(Document).order_by(Document.id)).all()


def _count(project):
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(Document))


@pytest.mark.parametrize(
    "data, expected_text, encoding",
    [
        (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), ARABIC, "utf-8"),
        (codecs.BOM_UTF16_LE + HINDI.encode("utf-16-le"), HINDI, "utf-16-le"),
        (codecs.BOM_UTF16_BE + ARABIC.encode("utf-16-be"), ARABIC, "utf-16-be"),
        (ARABIC.encode("utf-8"), ARABIC, "utf-8"),
        (ARABIC.encode("cp1256"), ARABIC, "cp1256"),
        (FRENCH.encode("cp1252"), FRENCH, "cp1252"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf8", "cp1256-arabic", "cp1252-french"],
)
def test_encodings_decode_to_the_same_text(empty_project, tmp_path, data, expected_text, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    outcome = import_file(empty_project, path)
    assert outcome.status == "imported", outcome.detail
    (doc,) = _docs(empty_project)
    assert doc.text == expected_text
    assert not doc.text.startswith("\ufeff")
    assert doc.source_encoding == encoding
    assert doc.sha256 == sha256_text(expected_text)
    assert doc.chars == len(expected_text)
    assert doc.filename == "article.txt"


def test_encoding_override(empty_project, tmp_path):
    path = tmp_path / "latin.txt"
    text = "Ørsted: Ærø åbner — 7 000 ansatte."
    path.write_bytes(text.encode("iso-8859-1", errors="replace").replace(b"\x97", b"-"))
    outcome = import_file(empty_project, path, encoding="iso-8859-1")
    assert outcome.status == "imported"
    (doc,) = _docs(empty_project)
    assert doc.source_encoding == "iso-8859-1"
    assert doc.text.startswith("Ørsted: Ærø")


def test_wrong_override_is_rejected(empty_project, tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("شركة".encode())
    outcome = import_file(empty_project, path, encoding="ascii")
    assert outcome.status == "rejected" and "not valid ascii" in outcome.detail
    assert import_file(empty_project, path, encoding="no-such-codec").detail == "unknown text encoding 'no-such-codec'"
    assert _count(empty_project) == 0


def test_line_ends_normalised_and_offsets_follow(empty_project, tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Meta 😀 laid off\r\nالموظفين\rend\r\n".encode())
    assert import_file(empty_project, path).status == "imported"
    (doc,) = _docs(empty_project)
    assert doc.text == "Meta 😀 laid off\nالموظفين\nend\n"
    assert doc.text.index("الموظفين") == 16  # code points: the emoji counts once, CRLF once


def test_language_direction_title(seeded_project, tmp_path):
    (tmp_path / "ar.txt").write_text("\n\n  " + ARABIC, encoding="utf-8")
    (tmp_path / "hi.txt").write_text(HINDI, encoding="utf-8")
    (tmp_path / "fr.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "num.txt").write_text("12345 6789\n", encoding="utf-8")
    for name in ("ar", "hi", "fr", "num"):
        assert import_file(seeded_project, tmp_path / f"{name}.txt").status == "imported"
    docs = {d.filename: d for d in _docs(seeded_project)}
    assert (docs["ar.txt"].language, docs["ar.txt"].direction) == ("ar", "rtl")
    assert docs["ar.txt"].title == ARABIC.strip()
    assert (docs["hi.txt"].language, docs["hi.txt"].direction) == ("hi", "ltr")
    assert docs["fr.txt"].language == "und"
    assert docs["num.txt"].language == "und"
    assert (docs["000_b46c4ed2b066ef9e.txt"].language, docs["000_b46c4ed2b066ef9e.txt"].direction) == ("en", "ltr")


def test_seed_corpus_detection_matches_metadata(tmp_path, empty_project):
    from app.core.services.projects import seed_metadata

    for meta in seed_metadata():
        outcome = import_file(empty_project, seeds_dir() / meta["file"])
        assert outcome.status == "imported"
        assert f": {meta['language']}, " in outcome.detail


def test_duplicate_content_is_skipped_naming_the_existing_document(empty_project, tmp_path):
    (tmp_path / "a.txt").write_bytes(ARABIC.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(codecs.BOM_UTF8 + ARABIC.replace("\n", "\r\n").encode("utf-8"))
    first = import_file(empty_project, tmp_path / "a.txt")
    second = import_file(empty_project, tmp_path / "b.txt")
    assert second.status == "skipped"
    assert f"document {first.document_id}" in second.detail
    assert _count(empty_project) == 1


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\t\r\n  ", "empty or whitespace-only"),
        ("\u3000\n".encode("utf-8"), "whitespace-only"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4, "binary"),
        (bytes([0x89]) + b"PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa broken", "byte-order mark"),
    ],
    ids=["empty", "whitespace", "ideographic-space", "zip", "png", "bad-after-bom"],
)
def test_rejected_files_leave_project_unchanged(seeded_project, tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    before = _count(seeded_project)
    outcome = import_file(seeded_project, path)
    assert outcome.status == "rejected"
    assert reason in outcome.detail
    assert "\n" not in outcome.line()
    assert _count(seeded_project) == before


def test_size_limit(empty_project, tmp_path):
    assert MAX_IMPORT_BYTES >= 10 * 1024 * 1024
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: no need to write 50 MiB
        fh.truncate(MAX_IMPORT_BYTES + 1)
    outcome = import_file(empty_project, big)
    assert outcome.status == "rejected" and "limit" in outcome.detail
    ten_mb = tmp_path / "ten.txt"
    line = "Meta reassigned 7,000 employees; شركة Scale AI تُلغي 700 وظيفة.\n"
    ten_mb.write_text(line * (10 * 1024 * 1024 // len(line.encode()) + 1), encoding="utf-8")
    assert import_file(empty_project, ten_mb).status == "imported"


def test_folder_recursion_goes_past_bad_files(empty_project, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "sub" / "empty.txt").write_bytes(b"")
    (tmp_path / "sub" / "deeper" / "h.md").write_text(HINDI, encoding="utf-8")
    (tmp_path / "sub" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("hidden", encoding="utf-8")
    files = list(collect_paths([tmp_path]))
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.txt", "sub/empty.txt", "sub/deeper/h.md"]
    statuses = [import_file(empty_project, p).status for p in files]
    assert statuses == ["imported", "rejected", "imported"]
    assert _count(empty_project) == 2


def test_stored_text_never_changes_and_matches_hash(seeded_project):
    for doc in _docs(seeded_project):
        assert doc.sha256 == sha256_text(doc.text)
        assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
        assert doc.chars == len(doc.text)


# --------------------------------------------------------------------------- inputs that cannot be read

REPO = Path(__file__).resolve().parent.parent


def _cli(*args, timeout=60):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_folder_with_fifo_and_symlink_loop_goes_on_and_exits_1(tmp_path):
    project = tmp_path / "p.annotary"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARABIC, encoding="utf-8")
    os.mkfifo(folder / "b.txt")
    (folder / "c.txt").symlink_to(folder / "c.txt")
    (folder / "d.txt").write_text(HINDI, encoding="utf-8")
    _cli("init", str(project), "--empty")
    proc = _cli("import", str(folder), "--project", str(project), timeout=60)  # a FIFO must not hang it
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["imported", str(folder / "a.txt")], ["rejected", str(folder / "b.txt")],
        ["rejected", str(folder / "c.txt")], ["imported", str(folder / "d.txt")],
    ]
    assert lines[1].endswith("is a named pipe (FIFO), not a regular file")
    assert "cannot read:" in lines[2]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_in_one_line(tmp_path):
    project = tmp_path / "p.annotary"
    _cli("init", str(project), "--empty")
    proc = _cli("import", "/dev/zero", "--project", str(project), timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == "rejected\t/dev/zero\tis a device, not a regular file\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_and_folder(empty_project, tmp_path):
    (tmp_path / "locked.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "shut").mkdir()
    (tmp_path / "shut").chmod(0)
    try:
        unlisted = []
        files = list(collect_paths([tmp_path], unlisted))
        assert import_file(empty_project, files[0]).detail == "cannot read: Permission denied"
        assert [o.detail for o in unlisted] == ["cannot list folder: Permission denied"]
    finally:
        (tmp_path / "shut").chmod(0o755)
    assert _count(empty_project) == 0


def test_patched_size_limit(empty_project, tmp_path, monkeypatch):
    monkeypatch.setattr(bounded_read, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "a.txt"
    path.write_text("x" * 1001, encoding="utf-8")
    outcome = import_file(empty_project, path)
    assert (outcome.status, outcome.detail) == ("rejected", "file is 1001 bytes, over the 1000 bytes limit")
    assert _count(empty_project) == 0


@pytest.mark.parametrize("name", ["base64", "rot13", "zlib", "hex", "no-such-codec"])
def test_codecs_that_are_not_text_encodings_are_refused(empty_project, tmp_path, name):
    path = tmp_path / "a.txt"
    path.write_text("aGVsbG8=\n", encoding="ascii")
    outcome = import_file(empty_project, path, encoding=name)
    assert (outcome.status, outcome.detail) == ("rejected", f"unknown text encoding {name!r}")
    assert _count(empty_project) == 0


@pytest.mark.parametrize(
    "data, offset",
    [
        ("شركة Meta تعيد تعيين الموظفين ".encode() + b"\xed\xa0\x80" + "بعد الإجازة".encode(), 51),
        ("Café déjà vu, l'équipe ".encode() + b"\xff" + " a été réorganisée.".encode(), 27),
        # few valid sequences, and an encoded surrogate as many bytes as they have: still damaged UTF-8
        ("Café résumé ".encode() + b"\xed\xa0\x80" + b" layoffs at Meta and Google.", 15),
    ],
    ids=["encoded-surrogate", "stray-byte", "surrogate-in-short-latin"],
)
def test_almost_utf8_is_refused_not_guessed(empty_project, tmp_path, data, offset):
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert almost_utf8(data)
    outcome = import_file(empty_project, path)
    assert outcome.status == "rejected"
    assert outcome.detail.startswith(f"not valid UTF-8 at byte {offset} ")
    assert "--encoding" in outcome.detail and "\n" not in outcome.line()
    assert _count(empty_project) == 0
    forced = import_file(empty_project, path, encoding="cp1256")  # the way out the message names
    assert forced.status == "imported"


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("أعلنت شركة ميتا، اليوم الثلاثاء، عن تسريح 700 موظف؛ فهل تتأثر الأسواق؟ «نعم» قال المحلل.\n", "cp1256"),
        (FRENCH, "cp1252"),
        ("Él dijo: «¿Qué pasó?» — Está aquí, señor.\n", "cp1252"),
    ],
    ids=["arabic-cp1256", "french-cp1252", "spanish-cp1252"],
)
def test_genuine_legacy_code_pages_are_still_detected(empty_project, tmp_path, text, encoding):
    data = text.encode(encoding)
    assert not almost_utf8(data)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    outcome = import_file(empty_project, path)
    assert outcome.status == "imported", outcome.detail
    (doc,) = _docs(empty_project)
    assert doc.source_encoding == encoding and doc.text == text


def test_nul_in_forced_encoding_text_is_refused(empty_project, tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Meta laid off\x00 staff\n")
    outcome = import_file(empty_project, path, encoding="latin-1")
    assert (outcome.status, outcome.detail) == ("rejected", "binary file (contains NUL characters)")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_names_the_way_out(empty_project, tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes("Meta laid off 600 employees in its AI unit.\n".encode(encoding))
    outcome = import_file(empty_project, path)
    assert outcome.status == "rejected"
    assert outcome.detail.endswith(f"import it with --encoding {encoding}")
    assert import_file(empty_project, path, encoding).status == "imported"
