"""Sphinx extension for the book: what makes it read like a book rather than a folder of pages.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. It does three things:

* **Chapter numbers that agree with the prose.** A chapter's number is the one in its file name
  (``notebooks/04_why_convolution`` is chapter 4, as the prose says "chapter 4"); its sections are
  4.1, 4.2, ... Jupyter Book's own ``numbered:`` counts pages from 1 across parts and would number
  the part pages and the prose pages too, so this replaces Sphinx's section numbering: only the
  chapters are numbered, in the sidebar, in their headings, in ``{numref}`` and in the figure
  numbers (figure 4.2 is the second numbered figure of chapter 4).
* **MathJax from the book itself.** MathJax 3 is copied into ``_static/mathjax`` from the pinned
  ``sphinx-mathjax-offline`` wheel (requirements.txt) and the pages load it from there, so a book
  built locally renders its formulas with no network.
* **Bibliography labels that match the citations.** The reference list is labelled author–year
  ("Bahdanau et al., 2015", with sphinxcontrib-bibtex's name formatting; "2014a"/"2014b" where
  the same authors have two works in a year) instead of pybtex's alpha labels ("BCB15"), and
  ``bibtex_reference_style: label`` makes the text cite by that same label.
* **The results page.** ``{cnnrnn-results}`` becomes two tables made from the results file
  (``BOOK_RESULTS``) once every chapter has run: each chapter's run time and machine, and every
  recorded headline number with what the chapter recorded beside it: the threshold its assert
  holds it to and the margin by which it clears it (``cnnrnn.results.margin``), the published
  reference and its source, the seed spread. The file itself is copied
  into the built book, so that readers can compare their own run with it
  (``python -m cnnrnn.results compare``).
"""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path
from typing import cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.errors import ConfigError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

CHAPTER = re.compile(r"^notebooks/(\d+)_")
SECTION_DEPTH = 2  # number the chapter (4) and its sections (4.1), not the subsections
MATHJAX_PACKAGE = "sphinx-mathjax-offline"  # its import name has hyphens, as on PyPI
MATHJAX_ENTRY = "mathjax/tex-chtml.js"


# -- chapter numbers ---------------------------------------------------------------------------


def chapter_number(docname: str) -> int | None:
    """The chapter number of a document: the leading number of a notebook's file name."""
    match = CHAPTER.match(docname)
    return int(match.group(1)) if match else None


def _number_toc(node: nodes.Element, numbers: list[int], secnums: dict, depth: int) -> None:
    """Number the entries of one document's local table of contents, in place."""
    for child in node.children:
        if isinstance(child, nodes.bullet_list):
            _number_toc(child, [*numbers, 0], secnums, depth + 1)
        elif isinstance(child, nodes.list_item):
            _number_toc(child, numbers, secnums, depth)
        elif isinstance(child, addnodes.compact_paragraph):
            numbers[-1] += 1
            reference = cast(nodes.reference, child[0])
            # Unnumbered entries map to None (Sphinx uses (), which would make the HTML writer fall
            # back to the page's number, and which sphinx-external-toc's renumbering trips over).
            number = tuple(numbers) if depth <= SECTION_DEPTH else None
            secnums[reference["anchorname"]] = number
            reference["secnumber"] = list(number) if number else None
        elif isinstance(child, addnodes.only):
            _number_toc(child, numbers, secnums, depth)


def assign_section_numbers(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    """Replaces ``TocTreeCollector.assign_section_numbers``: number the chapters by file name."""
    old = env.toc_secnumbers
    env.toc_secnumbers = {}
    for docname in sorted(env.tocs):
        chapter = chapter_number(docname)
        if chapter is None:
            continue
        secnums: dict[str, tuple[int, ...] | None] = {}
        # The page title is the single top-level entry: [chapter - 1] + 1 = chapter.
        _number_toc(env.tocs[docname], [chapter - 1], secnums, 1)
        env.toc_secnumbers[docname] = secnums
        if docname in env.titles:
            env.titles[docname]["secnumber"] = (chapter,)  # a tuple, as the secnumbers
    return [doc for doc in set(old) | set(env.toc_secnumbers)
            if old.get(doc) != env.toc_secnumbers.get(doc)]


# -- MathJax from the book ---------------------------------------------------------------------


def mathjax_directory() -> Path:
    """The folder that holds ``mathjax/tex-chtml.js`` in the installed sphinx-mathjax-offline."""
    spec = find_spec(MATHJAX_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(f"The book serves MathJax from the '{MATHJAX_PACKAGE}' package, which "
                          "is not installed: run 'make venv' (it is pinned in requirements.txt).")
    static = Path(spec.origin).parent / "static"
    if not (static / MATHJAX_ENTRY).is_file():
        raise ConfigError(f"{static / MATHJAX_ENTRY} is missing: reinstall {MATHJAX_PACKAGE}.")
    return static


def configure(app: Sphinx, config) -> None:
    # Installed here rather than in setup(): sphinx-multitoc-numbering, if loaded, patches the
    # same method in its setup(), which may run after this one.
    TocTreeCollector.assign_section_numbers = assign_section_numbers
    # MathJax from the book
    config.html_static_path = [*config.html_static_path, str(mathjax_directory())]
    config.mathjax_path = MATHJAX_ENTRY  # relative: loaded from the book's _static folder


# -- author-year bibliography labels -----------------------------------------------------------


def _register_bibliography_style() -> None:
    import pybtex.plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.template import author_or_editor_or_title

    person = PersonStyle()  # the in-text citations' name formatting (author_year style)
    authors = author_or_editor_or_title(sep=person.sep, sep2=person.sep2,
                                        last_sep=person.last_sep, other=person.other)

    class _Names:  # what the sphinxcontrib-bibtex name templates read from data["style"]
        pass

    data_style = _Names()
    data_style.person = person

    class AuthorYearLabelStyle(BaseLabelStyle):
        """'Bahdanau et al., 2015': the label the text's author-year citation shows."""

        def format_labels(self, sorted_entries):
            labels = [self.format_label(entry) for entry in sorted_entries]
            seen: dict[str, int] = {}
            for label in labels:
                if labels.count(label) == 1:
                    yield label
                else:  # two works by the same authors in the same year: 2014a, 2014b
                    seen[label] = seen.get(label, 0) + 1
                    yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]

        def format_label(self, entry):
            names = authors.format_data({"entry": entry, "style": data_style})
            year = entry.fields.get("year", "n.d.")
            # BibTeX's "and others" (Chollet and others) reads as "et al." in a label.
            names = names.render_as("text").replace(" and others", " et al.")
            return f"{names}, {year}"

    class AuthorYearStyle(PlainStyle):
        default_label_style = "cnnrnn_author_year"
        default_sorting_style = "author_year_title"

    pybtex.plugin.register_plugin("pybtex.style.labels", "cnnrnn_author_year",
                                  AuthorYearLabelStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "cnnrnn_author_year",
                                  AuthorYearStyle, force=True)


# -- the results page --------------------------------------------------------------------------

PUBLISHED_RESULTS = "_static/results.json"  # where the built book keeps the results file


class ResultsNode(nodes.General, nodes.Element):
    """Placeholder for the results tables, filled in once every chapter has run."""


class ResultsDirective(SphinxDirective):
    def run(self):
        pages = getattr(self.env, "cnnrnn_results_pages", set())
        pages.add(self.env.docname)
        self.env.cnnrnn_results_pages = pages
        return [ResultsNode()]


def _results_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    return sorted(getattr(env, "cnnrnn_results_pages", ()))  # rewritten after every read


def _results_file() -> Path:
    from cnnrnn.config import results_path

    return results_path()


def _chapter_times() -> dict:
    """Chapter times measured where the notebooks ran, for a build that does not execute them
    (``make test`` runs them under nbval first): ``BOOK_CHAPTER_TIMES``, a JSON file
    ``{"03_cnn_classifier.ipynb": {"seconds": 31.2}, ...}``."""
    import json
    import os

    path = os.environ.get("BOOK_CHAPTER_TIMES")
    return json.loads(Path(path).read_text()) if path and Path(path).is_file() else {}


def _cell(content) -> nodes.entry:
    if isinstance(content, nodes.Node):
        return nodes.entry("", nodes.paragraph("", "", content))
    return nodes.entry("", nodes.paragraph(text=str(content)))


def _table(header: list[str], body: list[list]) -> nodes.table:
    table = nodes.table(classes=["cnnrnn-results"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head, rows = nodes.thead(), nodes.tbody()
    head += nodes.row("", *[_cell(text) for text in header])
    rows += [nodes.row("", *[_cell(content) for content in row]) for row in body]
    group += [head, rows]
    return table


def _chapter_link(refdoc: str, chapter: str) -> nodes.Node:
    if not chapter:
        return nodes.Text("(not found)")
    link = addnodes.pending_xref(refdoc=refdoc, reftarget="/notebooks/" + chapter, reftype="doc",
                                 refdomain="std", refexplicit=True, refwarn=True)
    link += nodes.inline(text=chapter)
    return link


class ResultsTransform(SphinxPostTransform):
    default_priority = 8  # before references are resolved

    def run(self, **kwargs) -> None:
        from myst_nb.sphinx_ import NbMetadataCollector

        from cnnrnn.config import load_results
        from cnnrnn.results import DETAIL_COLUMNS, recorded_names, rows

        for node in list(self.document.findall(ResultsNode)):
            path = _results_file()
            results = load_results(path) if path.is_file() else {}
            if not results:
                node.replace_self(nodes.paragraph(text=f"No results file ({path.name}): the chapters "
                                                       "have not recorded anything in this build."))
                continue
            table = rows(results, recorded_names(Path(self.app.srcdir) / "notebooks"))
            docs = NbMetadataCollector.get_doc_data(self.env)
            machines = {row.chapter: row.machine for row in table if row.machine}
            timed = _chapter_times()
            chapters = []
            for chapter in sorted({row.chapter for row in table if row.chapter}):
                run = (docs.get("notebooks/" + chapter) or {}).get("exec_data") or {}
                seconds = run.get("runtime", timed.get(chapter + ".ipynb", {}).get("seconds"))
                seconds = f"{seconds:.0f}" if seconds is not None else "not timed"
                chapters.append([_chapter_link(self.env.docname, chapter), seconds,
                                 machines.get(chapter, "?")])
            details = [key for key in DETAIL_COLUMNS if any(key in row.details for row in table)]
            numbers = [[_chapter_link(self.env.docname, row.chapter), row.name, row.value, row.mode,
                        *[row.details.get(key, "") for key in details]] for row in table]
            download = nodes.paragraph()
            download += nodes.Text(f"{len(table)} numbers from {len(chapters)} chapters; the file: ")
            download += nodes.reference("", "results.json", refuri=f"../{PUBLISHED_RESULTS}")
            node.replace_self([
                download,
                _table(["chapter", "run time (s)", "machine and backend"], chapters),
                _table(["chapter", "number", "value", "mode", *details], numbers),
            ])


def _publish_results(app: Sphinx, exception) -> None:
    path = _results_file()
    if exception is None and app.builder.format == "html" and path.is_file():
        target = Path(app.outdir) / PUBLISHED_RESULTS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    app.add_node(ResultsNode)
    app.add_directive("cnnrnn-results", ResultsDirective)
    app.add_post_transform(ResultsTransform)
    app.connect("env-updated", _results_pages)
    app.connect("build-finished", _publish_results)
    _register_bibliography_style()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
