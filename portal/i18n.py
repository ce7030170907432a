"""Translation catalogs: one per package, kept complete for Simplified Chinese.

Each feature package owns ``portal/<package>/translations/`` with the strings of
its own code and of ``templates/<package>/``; the core (``portal/*.py``,
``templates/*.html``, ``templates/errors/``) owns ``portal/translations/``. Two
people working on two packages never edit the same catalog.

``flask --app portal i18n update`` extracts the strings and merges them into the
catalogs (keeping translations); ``i18n check`` lists strings without a Chinese
translation; the app compiles stale catalogs when it starts.
"""

import logging
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import g
from flask_babel import get_translations

log = logging.getLogger(__name__)

PORTAL = Path(__file__).resolve().parent
ROOT = PORTAL.parent
TEMPLATES = ROOT / "templates"
LOCALES = ["zh"]
_KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
}
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def translations():
    """Return the translations of the request's language, like Flask-Babel's
    ``get_translations``, remembered for the rest of the request.

    Flask-Babel resolves the context, the domain and the locale again on each
    call (about 20 µs, and a page makes hundreds). The memo is kept in
    Flask-Babel's own namespace for the request and checked against the locale
    and domain objects there: ``force_locale`` and ``refresh`` replace or drop
    them, so they still take effect at once.
    """
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # before the first lookup, or no app
        return get_translations()
    memo = getattr(ctx, "tacit_translations", None)
    if (
        memo is not None
        and memo[0] is getattr(ctx, "babel_locale", None)
        and memo[1] is getattr(ctx, "babel_domain", None)
    ):
        return memo[2]
    result = get_translations()
    ctx.tacit_translations = (
        getattr(ctx, "babel_locale", None),
        getattr(ctx, "babel_domain", None),
        result,
    )
    return result


def install(jinja_env) -> None:
    """Let templates' ``_()``, ``ngettext()``… use the remembered translations."""
    jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def packages() -> list[str]:
    """Return the feature packages (folders of ``portal/`` with an ``__init__``)."""
    return sorted(
        p.name
        for p in PORTAL.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "translations"
    )


def catalog_dir(package: str | None) -> Path:
    return (PORTAL / package if package else PORTAL) / "translations"


def translation_directories() -> str:
    """Return the value for ``BABEL_TRANSLATION_DIRECTORIES`` (``;``-separated)."""
    dirs = [catalog_dir(None)] + [catalog_dir(p) for p in packages()]
    return ";".join(str(d) for d in dirs if d.is_dir())


def _sources(package: str | None):
    if package is None:
        yield from sorted(PORTAL.glob("*.py"))
        yield from sorted(TEMPLATES.glob("*.html"))
        yield from sorted((TEMPLATES / "errors").glob("*.html"))
    else:
        yield from sorted((PORTAL / package).rglob("*.py"))
        yield from sorted((TEMPLATES / package).rglob("*.html"))


def extract(package: str | None) -> Catalog:
    """Return a catalog template of the strings in ``package`` (None: the core)."""
    template = Catalog(project="Tacit", charset="utf-8")
    for path in _sources(package):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else _JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=_KEYWORDS, options=options
        ):
            template.add(
                message,
                None,
                [(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def _po_path(package: str | None, locale: str) -> Path:
    return catalog_dir(package) / locale / "LC_MESSAGES" / "messages.po"


def load(package: str | None, locale: str) -> Catalog | None:
    path = _po_path(package, locale)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def update(package: str | None) -> int:
    """Merge newly extracted strings into the package's catalogs; return how many."""
    template = extract(package)
    if not len(template):
        return 0
    added = 0
    for locale in LOCALES:
        catalog = load(package, locale) or Catalog(locale=locale, project="Tacit")
        before = {m.id for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=True)
        added += len({m.id for m in catalog if m.id} - before)
        path = _po_path(package, locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=88, omit_header=False, ignore_obsolete=True)
    return added


def missing(package: str | None, locale: str = "zh") -> list[str]:
    """Return the strings of ``package`` without a usable ``locale`` translation."""
    catalog = load(package, locale)
    result = []
    for message in extract(package):
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context) if catalog else None
        strings = entry.string if entry else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok or (entry and entry.fuzzy):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def compile_all(force: bool = False) -> int:
    """Compile every ``.po`` newer than its ``.mo``; return how many were written."""
    written = 0
    for po in PORTAL.rglob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        buf = BytesIO()
        write_mo(buf, catalog)
        try:
            mo.write_bytes(buf.getvalue())
        except OSError:
            log.warning("cannot write %s; run `flask i18n compile` as its owner", mo)
            continue
        written += 1
    return written
