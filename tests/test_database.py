"""Orders read straight from a database: a PostgreSQL server started for the test.

Skipped, with the reason, where the server binaries or the ADBC driver are not installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_tui.cli.main import main
from crm_tui.errors import InputError
from crm_tui.io.database import Database, database
from crm_tui.io.orders import load_orders

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "orders.csv"


def _server_command() -> list[str]:
    """How to run PostgreSQL's tools: as the postgres user when the tests run as root."""
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            pytest.skip(f"no PostgreSQL server here ({tool} is not on PATH)")
    pytest.importorskip("adbc_driver_postgresql", reason="adbc-driver-postgresql not installed")
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("PostgreSQL refuses to run as root and there is no postgres user")
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A throwaway PostgreSQL server on a free local port; its URI."""
    run_as = _server_command()
    folder = Path(tempfile.mkdtemp(prefix="crm-tui-pg-"))
    if run_as:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    try:
        subprocess.run(
            [*run_as, "initdb", "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        log = str(folder / "log")
        started = subprocess.run(
            [*run_as, "pg_ctl", "-D", str(data), "-o", options, "-l", log, "-w", "start"],
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            pytest.skip(f"PostgreSQL did not start: {started.stdout.strip()[-200:]}")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, "pg_ctl", "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def shop_database(server: str) -> str:
    """The sample shop's orders, as canonical columns, in a table named orders."""
    orders = load_orders(SAMPLE).orders
    for attempt in range(20):  # -w waits for the server, but allow it a moment more
        try:
            orders.write_database("orders", server, engine="adbc", if_table_exists="replace")
            break
        except Exception:
            if attempt == 19:
                raise
            time.sleep(0.5)
    return server


def test_segment_from_the_database_is_segment_from_the_file(
    shop_database: str, tmp_path: Path
) -> None:
    canonical = tmp_path / "orders.parquet"
    load_orders(SAMPLE).orders.write_parquet(canonical)
    from_file, from_db = tmp_path / "file.parquet", tmp_path / "db.parquet"
    assert main(["segment", str(canonical), "--out", str(from_file)]) == 0
    assert main(["segment", shop_database, "--table", "orders", "--out", str(from_db)]) == 0
    # the same customers in the same segments; sums may differ in the last bit, as the
    # database returns the rows in its own order
    assert_frame_equal(pl.read_parquet(from_db), pl.read_parquet(from_file), check_exact=False)


def test_a_query_picks_the_orders(shop_database: str) -> None:
    query = "SELECT * FROM orders WHERE channel = 'app'"
    loaded = load_orders(database(shop_database, query=query))
    expected = load_orders(SAMPLE).orders.filter(pl.col("channel") == "app")
    assert loaded.orders.height == expected.height > 0
    assert loaded.findings.source == shop_database


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--table", "no_such_table"], 'relation "no_such_table" does not exist'),
        (["--query", "SELECT customer_id FROM orders"], "missing required column"),
        (["--table", "orders; DROP TABLE orders"], "expected a table name"),
    ],
)
def test_bad_tables_and_queries_are_one_line(
    shop_database: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(["segment", shop_database, *args]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_refused_connection_names_the_database_without_its_password() -> None:
    pytest.importorskip("adbc_driver_postgresql", reason="adbc-driver-postgresql not installed")
    uri = f"postgresql://shop:secret@127.0.0.1:{_free_port()}/shop"
    with pytest.raises(InputError) as caught:
        load_orders(Database(uri, "SELECT * FROM orders"))
    message = str(caught.value)
    assert message.startswith("postgresql://shop:***@127.0.0.1") and "secret" not in message


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        ("oracle://x@h/db", "expected a database URI starting postgresql://"),
        ("mysql://x@h/db", "pip install connectorx pyarrow"),
    ],
)
def test_unsupported_or_uninstalled_databases(uri: str, said: str) -> None:
    with pytest.raises(InputError, match=said.replace("+", r"\+")):
        load_orders(database(uri))
