"""What the CLI prints from project data cannot drive the terminal."""

from app.core.terminal import printable, printable_row


def test_escape_sequences_and_controls_are_shown():
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("bell\x07 del\x7f csi\x9b") == "bell\\x07 del\\x7f csi\\x9b"
    assert printable("tab\there\nnew\rline") == "tab\\there\\nnew\\rline"


def test_bidi_controls_are_shown():
    assert printable("invoice\u202egpj.exe") == "invoice\\u202egpj.exe"
    for ch in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029":
        assert printable(f"x{ch}y") == f"x\\u{ord(ch):04x}y"


def test_arabic_and_hindi_are_unchanged():
    for title in ("شركة Scale AI تُلغي 700 وظيفة", "जहाँ Zuckerberg की कंपनी", "कर्मचारियों",
                  "می\u200cخواهم", "क्\u200dष", "emoji 👩🏽\u200d💻", "a\\x1b (typed literally)"):
        assert printable(title) == title


def test_lone_surrogates_and_non_strings():
    assert printable("bad\udcff.txt") == "bad\\udcff.txt"
    assert printable(42) == "42"


def test_keep_and_rows():
    assert printable("a\tb\x1bc", keep="\t") == "a\tb\\x1bc"
    assert printable_row(7, "ar", "t\ti\x1b") == "7\tar\tt\\ti\\x1b"
