"""Every string of the worker's pages comes in French and Dutch (English is the source).

The compiled catalogues (.mo) are committed, so that a machine without gettext serves the
same pages: these tests read them, never the .po files alone.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "cases" / "templates"]
LANGUAGES = ("fr", "nl")

_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_CALL = re.compile(rf"\b(gettext|ngettext|pgettext|npgettext)\(((?:{_LITERAL}\s*,?\s*)+)")


def template_msgids():
    """(template, msgid) for every {% translate %} and {% blocktranslate %} of our templates."""
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            for match in _CALL.finditer(templatize(path.read_text(encoding="utf-8"))):
                literals = [ast.literal_eval(s) for s in re.findall(_LITERAL, match.group(2))]
                # pgettext(context, msgid): the context is stored as "context\x04msgid".
                msgid = (
                    f"{literals[0]}\x04{literals[1]}"
                    if match.group(1).startswith(("p", "np"))
                    else literals[0]
                )
                found.append((path.relative_to(ROOT).as_posix(), msgid))
    return found


def catalogue_files(language, suffix):
    """The project's catalogues: `locale/` and each app's `locale/` (never the virtualenv)."""
    pattern = f"locale/{language}/LC_MESSAGES/django.{suffix}"
    return sorted([*ROOT.glob(pattern), *ROOT.glob(f"*/{pattern}")])


def catalogue(language):
    """Every compiled message of the project's own catalogues for one language."""
    messages = {}
    for mo in catalogue_files(language, "mo"):
        with mo.open("rb") as handle:
            messages.update(gettext.GNUTranslations(handle)._catalog)
    return messages


def test_the_templates_have_translatable_strings():
    assert len(template_msgids()) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_templates_is_translated_in_the_compiled_catalogue(language):
    messages = catalogue(language)
    untranslated = sorted(
        {
            f"{template}: {msgid!r}"
            for template, msgid in template_msgids()
            if not (messages.get(msgid) or messages.get((msgid, 0)))
        }
    )
    assert untranslated == []


def _po_entries(path):
    """(msgid, msgstr) of the translated singular entries of a .po file."""
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            continue
        msgid, msgstr = (
            "".join(ast.literal_eval(s) for s in re.findall(r'".*"', group))
            for group in match.groups()
        )
        if msgid and msgstr and "#, fuzzy" not in block:
            # A message with a context is compiled under "context\x04msgid", as gettext keys it.
            context = re.search(r'^msgctxt "(.*)"$', block, re.M)
            yield (f"{context.group(1)}\x04{msgid}" if context else msgid), msgstr


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_up_to_date_with_the_po_files(language):
    stale = []
    for po in catalogue_files(language, "po"):
        mo = po.with_suffix(".mo")
        if not mo.exists():
            stale.append(f"{po.relative_to(ROOT)}: no .mo (run make messages)")
            continue
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog
        for msgid, msgstr in _po_entries(po):
            if compiled.get(msgid) != msgstr:
                stale.append(f"{po.relative_to(ROOT)}: {msgid!r}")
    assert stale == []
