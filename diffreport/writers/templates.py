"""Where the briefing's wording and styles live: jinja2 wording files and ``reference.docx`` in
``DIFFREPORT_TEMPLATES`` if set, else in the installed package (``diffreport/templates``, from
the wheel), else in ``templates/`` of a source checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import OutputError
from ..model import Document

_PACKAGE = Path(__file__).resolve().parents[1]
# The wheel maps the repository's templates/ into the package; a checkout has it beside it.
DEFAULT = next(
    (p for p in (_PACKAGE / "templates", _PACKAGE.parent / "templates") if p.is_dir()),
    _PACKAGE.parent / "templates",
)


def folder() -> Path:
    path = Path(os.environ.get("DIFFREPORT_TEMPLATES") or DEFAULT)
    if not (path / "reference.docx").is_file():
        raise OutputError(
            f"{path}: no reference.docx here; set DIFFREPORT_TEMPLATES to the templates folder"
        )
    return path


def reference_docx() -> Path:
    return folder() / "reference.docx"


def empty_document():
    """A python-docx document with reference.docx's styles, page set-up and headers, and an
    empty body (its sample paragraphs and tables removed; the section properties kept)."""
    from docx import Document as Docx
    from docx.oxml.ns import qn

    doc = Docx(str(reference_docx()))
    body = doc.element.body
    for child in list(body):
        if child.tag in (qn("w:p"), qn("w:tbl")):
            body.remove(child)
    return doc


@dataclass(slots=True)
class Setup:
    """A Word writer's set-up, made from the two documents before their comparison is done
    (``compare(meanwhile=…)``, while it waits for its side work): the language, its
    wording loaded, and an empty document (:func:`empty_document`)."""

    lang: str
    doc: object


def setup(old: Document, new: Document, lang: str, name: str) -> Setup:
    """The set-up of the writer whose wording is ``name`` (:func:`wording`); ``lang`` zh,
    en or auto (from the documents' script)."""
    from ..report import documents_language

    lang = documents_language(old, new) if lang == "auto" else lang
    wording(lang, name)  # (loaded once: the writer asks for it again)
    return Setup(lang, empty_document())


def _compiled_cache():
    """Where compiled templates are kept between runs (compiling the briefing's wording
    costs ~35 ms of each cold run, loading it ~1 ms): a folder of the private cache
    (``tokens.cache_dir``: compiled code is loaded from it, so never a shared folder).
    jinja2 recompiles a template whose source changed (it stores the source's checksum)."""
    from jinja2 import FileSystemBytecodeCache

    from ..tokens import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None  # compiled each run, as without a cache
    return FileSystemBytecodeCache(str(folder))


@lru_cache(maxsize=8)
def _environment(path: str):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    # Plain text out (runs are escaped by lxml), so no HTML autoescaping; the documents'
    # text only ever arrives as variables, never as template source.
    env = Environment(
        loader=FileSystemLoader(path),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_cache(),
    )
    env.filters["inner_quotes"] = inner_quotes
    return env


@lru_cache(maxsize=8)
def _html_environment(path: str):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    # Autoescaped: titles, terms and names are document text, never markup.
    return Environment(
        loader=FileSystemLoader(path),
        autoescape=True,
        undefined=StrictUndefined,
        bytecode_cache=_compiled_cache(),
    )


def html_page(name: str, **variables) -> bytes:
    """``templates/<name>`` rendered with ``variables``, as UTF-8."""
    from jinja2 import TemplateError

    try:
        template = _html_environment(str(folder())).get_template(name)
    except TemplateError as exc:
        raise OutputError(f"templates/{name}: {exc}") from None
    return template.render(**variables).encode("utf-8")


def inner_quotes(text: str) -> str:
    """Quotes inside a quotation become single quotes: “…‘天津制造’…”."""
    return str(text).replace("“", "‘").replace("”", "’")


def wording(lang: str, name: str = "brief"):
    """The jinja2 module of ``<name>.<lang>.j2`` (the briefing's, or ``sidebyside`` for the
    对照表 and the HTML report): its macros and ``labels``."""
    from jinja2 import TemplateError

    try:
        return _environment(str(folder())).get_template(f"{name}.{lang}.j2").module
    except TemplateError as exc:
        raise OutputError(f"templates/{name}.{lang}.j2: {exc}") from None
