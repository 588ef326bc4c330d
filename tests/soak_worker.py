"""One process of the soak test (tests/test_soak.py): random actions on one shared project.

    python tests/soak_worker.py PROJECT COPY OUTDIR WORKER_ID SEED

Runs until killed. Each action goes through the same core functions the CLI and the GUI
use, and is reported on stdout (one flushed line) only after it was committed:

    import <sha256 of the stored text>
    tag <coder> <document id> <start> <end>
    merge
    export <path>

A worker codes under its own coder name and tags each word at most once, so a span stored
twice for one coder can only be a duplicate write.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from app.core.export.xlsx import export_xlsx
from app.core.project import open_project
from app.core.services.documents import import_file
from app.core.services.merge import merge_project
from app.core.services.workspace import Workspace
from app.core.text import normalize_newlines, sha256_text


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    project_path, copy_path, outdir = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    worker, seed = int(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(seed)
    coder = f"w{worker}"
    step = 0
    with open_project(project_path) as project:
        ws = Workspace(project, coder)
        person = next(t.id for t in ws.codebook.entity_types if t.name == "Person")
        text = ws.document_text(1)
        spans = _word_spans(text)
        rng.shuffle(spans)
        while True:
            step += 1
            kind = rng.choices(("import", "tag", "merge", "export"), weights=(4, 6, 1, 1))[0]
            if kind == "import":
                body = f"Soak article {worker}-{step}-{seed}: Meta laid off {rng.randint(1, 9999)} workers.\n"
                src = outdir / f"in-{worker}-{step}.txt"
                src.write_text(body * rng.randint(1, 40), encoding="utf-8")
                outcome = import_file(project, src)
                if outcome.status == "imported":
                    say(f"import {sha256_text(normalize_newlines(src.read_text(encoding='utf-8')))}")
            elif kind == "tag" and spans:
                start, end = spans.pop()
                ws.tag(1, text, start, end, person, precise=True)  # this span exactly: no word snapping
                say(f"tag {coder} 1 {start} {end}")
            elif kind == "merge":
                merge_project(project, copy_path)
                say("merge")
            elif kind == "export":
                target = outdir / f"out-{worker}-{step}.xlsx"
                export_xlsx(project, target, agreement=False)
                say(f"export {target}")


def _word_spans(text: str) -> list[tuple[int, int]]:
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]{3,}", text)]


if __name__ == "__main__":
    main()
