"""The language crm-tui speaks to people: English or Simplified Chinese, by gettext catalogues.

Text for people goes through `_` (or `ngettext`) when it is shown, so that switching language in
the app changes what is drawn next; text defined at import time is marked with `N_` and
translated where it is shown. Files, JSON and TOML never go through here: their keys and
canonical values stay the same in either language.

The catalogues live in `crm_tui/locales/<language>/LC_MESSAGES/crm_tui.po`, compiled beside
them to `.mo` (see the README's "Translating" section); English is the source text itself.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

from crm_tui.errors import InputError
from evaluation.phrases import Phrase

LANGUAGES = ("en", "zh")
ENVIRONMENT = "CRM_TUI_LANG"
DOMAIN = "crm_tui"
LOCALES = Path(__file__).with_name("locales")
# the variables gettext itself consults for the locale, in its order
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def choose(given: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language asked for: `given` (a shell setting), else $CRM_TUI_LANG, else the locale."""
    environ = os.environ if environ is None else environ
    for setting, value in (("lang", given), (ENVIRONMENT, environ.get(ENVIRONMENT))):
        if value:
            if value not in LANGUAGES:
                raise InputError(
                    Phrase(
                        "{setting} is {value!r}; expected one of {value2}",
                        setting=setting,
                        value=value,
                        value2=", ".join(LANGUAGES),
                    ),
                    "lang",
                )
            return value
    return _from_locale(environ)


def _from_locale(environ: Mapping[str, str]) -> str:
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            # LANGUAGE may list several, "zh_CN:en"; the first one decides
            return "zh" if value.split(":")[0].lower().startswith("zh") else "en"
    return "en"


def use(language: str) -> None:
    """Speak `language` from now on."""
    global _translation, _language
    if language not in LANGUAGES:
        raise InputError(
            Phrase(
                "language {language!r}; expected one of {value}",
                language=language,
                value=", ".join(LANGUAGES),
            ),
            "lang",
        )
    _translation = (
        gettext.NullTranslations()
        if language == "en"
        else gettext.translation(DOMAIN, LOCALES, languages=[language])
    )
    _language = language


def current() -> str:
    return _language


def _(message: str) -> str:
    # gettext("") is the catalogue's header; an empty name or suggestion stays empty
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def say(text: str) -> str:
    """A library's sentence in the language in use: a Phrase by its template, else as is."""
    if not isinstance(text, Phrase):
        return _(text)
    values = {k: say(v) if isinstance(v, Phrase) else v for k, v in text.values.items()}
    if text.plural is not None:
        return ngettext(text.template, text.plural, text.values["n"]).format(**values)
    return _(text.template).format(**values)


def N_(message: str) -> str:
    """Mark text for the catalogue where it is defined; `_` translates it where it is shown."""
    return message
