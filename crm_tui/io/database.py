"""Orders straight from the shop's database: a query's result read as a table file would be.

PostgreSQL and SQLite are read through ADBC drivers (Arrow all the way, no pandas or pyarrow);
MySQL through ConnectorX. Each driver is an optional install, named in the error when missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from crm_tui.errors import InputError
from evaluation.phrases import Phrase

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# URI scheme -> (Polars engine, what to install for it)
DRIVERS: dict[str, tuple[Literal["adbc", "connectorx"], str]] = {
    "postgresql": ("adbc", "adbc-driver-postgresql"),
    "postgres": ("adbc", "adbc-driver-postgresql"),
    "sqlite": ("adbc", "adbc-driver-sqlite"),
    "mysql": ("connectorx", "connectorx pyarrow"),
}
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")


def is_database_uri(text: str) -> bool:
    return bool(_URI.match(text))


@dataclass(frozen=True)
class Database:
    """A query against a database, standing where an orders file would."""

    uri: str
    query: str

    def __str__(self) -> str:
        """The URI without its password: this is what reports and errors show."""
        parts = urlsplit(self.uri)
        if parts.password is None:
            return self.uri
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


Source = Path | Database  # where a table comes from: a file, or a query


def database(uri: str, table: str | None = None, query: str | None = None) -> Database:
    """A Database reading `query`, or every row of `table` (default: orders)."""
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in DRIVERS:
        known = ", ".join(f"{s}://" for s in DRIVERS)
        raise InputError(
            Phrase(
                "{value}://: expected a database URI starting {known}",
                value=uri.split("://")[0],
                known=known,
            )
        )
    if query is not None and table is not None:
        raise InputError(
            Phrase(
                "name a table or a query, not both",
            ),
            setting="table",
        )
    if query is None:
        name = table or "orders"
        if not _TABLE.match(name):
            raise InputError(
                Phrase(
                    "table {name!r}: expected a table name such as orders or "
                    "shop.orders (a query can select anything else)",
                    name=name,
                ),
                setting="table",
            )
        query = f"SELECT * FROM {name}"
    return Database(uri, query)


def read_query(source: Database) -> pl.DataFrame:
    """The query's rows; a missing driver, a refused connection or a bad query is one line."""
    engine, install = DRIVERS[urlsplit(source.uri).scheme.lower()]
    try:
        return pl.read_database_uri(source.query, source.uri, engine=engine)
    except ModuleNotFoundError:
        raise InputError(
            Phrase(
                "{source}: reading this database needs the {install} package (pip"
                " install {install})",
                source=source,
                install=install,
            )
        ) from None
    except Exception as exc:  # each driver raises its own types
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise InputError(
            Phrase(
                "{source}: {value}",
                source=source,
                value=first.strip(),
            )
        ) from None
