"""Make room for new chapters: shift every chapter numbered FROM or more up by BY.

    python tools/renumber_chapters.py --from 5 --by 1 [--dry-run]

A chapter's number is the leading number of its notebook's file name (``notebooks/10_lstm_gru``
is chapter 10), and the prose, the code's comments and the tests name chapters in three ways,
all rewritten here in every file git tracks:

* file names: ``10_lstm_gru`` becomes ``11_lstm_gru`` (links, ``{doc}`` targets, tests, ``_toc.yml``);
* figure names: ``fig-09-gates`` becomes ``fig-10-gates``;
* prose: "chapter 9", "Chapter 09's", "chapters 14–17", "chapters 00, 08, 09 and 18" (each
  number after the word, at its own width: "08" becomes "09", "8" becomes "9").

The notebooks are moved with ``git mv``. What the script cannot tell is a chapter number (a
bare "(08)", "Part II, 5 to 12") is listed at the end for a person to read.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = re.compile(r"^(\d{2})_(\w+)\.ipynb$")
PROSE = re.compile(
    r"\b([Cc]hapters?)(\s+)(\d{1,2}(?:(?:\s*(?:,|–|-|and|&|or|to)\s*)\d{1,2}\b)*)"
)
NUMBER = re.compile(r"\d{1,2}")
# A bare "(08)" after a word, or a range of numbers on a line that names a part.
SUSPECT = re.compile(r"(?<![\w\])])\(\d{2}\)|\bParts?\b.*\b\d{1,2}\s*(?:–|to)\s*\d{1,2}\b")
SKIP = {".bib", ".png", ".jpg", ".svg", ".ico", ".gz", ".zip", ".npz", ".pdf"}
# The tool and its tests hold example chapter numbers that must not move with the book's.
OWN = {"tools/renumber_chapters.py", "tests/test_renumber_chapters.py"}


def chapters(root: Path) -> dict[int, str]:
    """Chapter number to notebook stem (``10: "10_lstm_gru"``)."""
    found = {}
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        match = NOTEBOOK.match(path.name)
        if match:
            number = int(match[1])
            if number in found:  # one of the two would be moved and the other left: refuse
                raise SystemExit(f"two chapters are numbered {number}: {found[number]} and "
                                 f"{path.stem}; move the new one out of notebooks/ while renumbering")
            found[number] = path.stem
    return found


def shifted(number: str, start: int, by: int) -> str:
    value = int(number)
    return f"{value + by:0{len(number)}d}" if value >= start else number


def rewrite(text: str, stems: dict[str, str], start: int, by: int) -> str:
    """One pass over the text, so that nothing rewritten is rewritten again ("chapter 09_lstm_gru"
    is a file name after the word, moved once)."""
    names = "|".join(map(re.escape, stems)) or r"(?!)"
    pattern = re.compile(
        rf"\b(?P<stem>{names})\b|\bfig-(?P<fig>\d{{2}})-|{PROSE.pattern}(?![\w])"
    )

    def one(match: re.Match) -> str:
        if match["stem"]:
            return stems[match["stem"]]
        if match["fig"]:
            return f"fig-{shifted(match['fig'], start, by)}-"
        numbers = NUMBER.sub(lambda m: shifted(m[0], start, by), match[5])
        return match[3] + match[4] + numbers

    return pattern.sub(one, text)


def tracked(root: Path) -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
    return [root / line for line in out.stdout.splitlines()
            if Path(line).suffix not in SKIP and line not in OWN]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", type=int, required=True)
    parser.add_argument("--by", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if args.by < 1:
        parser.error("--by must be at least 1: chapters only move up, to make room")
    found = chapters(ROOT)
    stems = {}
    for number, stem in found.items():
        if number >= args.start:
            stems[stem] = f"{number + args.by:02d}_{stem[3:]}"
    clash = set(stems.values()) & {stem for n, stem in found.items() if n < args.start}
    if clash:
        raise SystemExit(f"renumbering would overwrite {sorted(clash)}")
    changed, suspects = [], []
    for path in tracked(ROOT):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        new = rewrite(text, stems, args.start, args.by)
        if new != text:
            changed.append(path.relative_to(ROOT))
            if not args.dry_run:
                path.write_text(new, encoding="utf-8")
        for number, line in enumerate(new.splitlines(), 1):
            if SUSPECT.search(line):
                suspects.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    # Highest first, so that no move lands on a name still in use.
    for stem in sorted(stems, reverse=True):
        source, target = f"notebooks/{stem}.ipynb", f"notebooks/{stems[stem]}.ipynb"
        print(f"{source} -> {target}")
        if not args.dry_run:
            subprocess.run(["git", "mv", source, target], cwd=ROOT, check=True)
    print(f"{len(changed)} files rewritten" + (" (dry run)" if args.dry_run else ""))
    print("Read these lines: numbers the script cannot tell are chapters or not:")
    print("\n".join(suspects) or "(none)")


if __name__ == "__main__":
    main()
