"""Sentences the libraries hand to people: English text that keeps its template and values.

A Phrase is a `str` — JSON, files, sorting and comparisons see the English sentence, which is
stable across languages — and it also remembers how it was made, so a shell can word the same
template in the user's language (crm_tui.language.say). Templates are literal first arguments
so that the catalogue's extraction finds them (`pybabel extract -k Phrase -k counted:1,2`).

It lives here because evaluation is the library the others build on; campaigns imports it too.
"""

from __future__ import annotations

from typing import Any


class Phrase(str):
    template: str
    plural: str | None  # the template when the count `n` is not 1
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Phrase:
        return cls.made(template, None, values)

    @classmethod
    def made(cls, template: str, plural: str | None, values: dict[str, Any]) -> Phrase:
        english = plural if plural is not None and values["n"] != 1 else template
        self = str.__new__(cls, english.format(**values))
        self.template, self.plural, self.values = template, plural, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # results cross processes pickled: keep the template, not only the English text
        return (Phrase.made, (self.template, self.plural, self.values))


def counted(singular: str, plural: str, n: int, /, **values: Any) -> Phrase:
    """A Phrase in the singular or plural by n, which its templates may show as {n}."""
    return Phrase.made(singular, plural, {**values, "n": n})
