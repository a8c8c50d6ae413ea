"""Client import: 100k spreadsheet rows through the same path as `import_clients` and the UI.

`import_100k_rows_s` is the whole import (read, clean, match, write clients and leads in
chunks). Two floors measured in the same run: `import_100k_csv_s`, decoding the file and splitting
it with the csv module and nothing else (no import can be faster), and `import_100k_read_s`,
reading and cleaning it as the import does, without writing. The ratios are floor / import
(1.0 = the import costs no more than its floor). `import_100k_again_s` imports the same file
a second time: every row matches a client, and no lead is added. The machine's load average is printed too: on a
shared machine the figures are only comparable at a similar load. Runs against `BENCH_DATABASE_URL` (default the
PostgreSQL database `dreamland_bench`); the rows it makes are deleted at the end.
"""

from __future__ import annotations

import csv
import io
import os
import time
from typing import Any

from bench.bookings import _setup

ROWS = 100_000


def _file() -> bytes:
    lines = ["ФИО;Телефон;E-mail;Язык;Комментарий;Статус"]
    for i in range(ROWS):
        status = ("новый", "связались", "квалифицирован", "")[i % 4]
        lines.append(
            f"Клиент Импорт {i};8 (747) 9{i // 10000:02d}-{i % 10000 // 100:02d}-{i % 100:02d};"
            f"c{i}@example.kz;рус;строка {i}, из выгрузки;{status}"
        )
    lines.insert(500, "Плохой;12345;;;;")  # one rejected row, as in real files
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _clear(client: Any) -> None:
    """Delete the bench's clients (and their leads); on PostgreSQL also their dead rows, so
    runs one after another time the same tables (autovacuum may be off or late)."""
    from django.db import connection

    client.objects.filter(phone__startswith="+77479").delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE clients, leads")


def run() -> dict[str, Any]:
    _setup()
    from dreamland.clients.models import Client
    from dreamland.imports.cleaning import clean_row
    from dreamland.imports.reader import read_rows
    from dreamland.imports.services import _tours, import_run

    content = _file()
    _clear(Client)
    started = time.perf_counter()
    lines = sum(1 for _ in csv.reader(io.StringIO(content.decode("cp1251")), delimiter=";"))
    csv_s = time.perf_counter() - started
    assert lines == ROWS + 2, lines
    started = time.perf_counter()
    tours = _tours()
    cleaned = 0
    for row in read_rows(content, "bench.csv"):
        try:
            clean_row(row, tours)
            cleaned += 1
        except Exception:  # noqa: S112 - the floor only counts
            continue
    read_s = time.perf_counter() - started
    try:
        started = time.perf_counter()
        report = import_run(content=content, filename="bench.csv")
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        again = import_run(content=content, filename="bench.csv")
        again_s = time.perf_counter() - started
    finally:
        _clear(Client)
    assert report.imported == ROWS and len(report.rejected) == 1, report.summary()
    assert again.matched == ROWS and not again.imported, again.summary()
    return {
        "import_100k_rows_s": f"{import_s:.1f} s",
        "import_100k_again_s": f"{again_s:.1f} s",
        "import_100k_read_s": f"{read_s:.1f} s",
        "import_100k_csv_s": f"{csv_s:.2f} s",
        "import_rows_per_s": round(ROWS / import_s),
        "import_ratio_to_read": round(read_s / import_s, 2),
        "import_ratio_to_csv": round(csv_s / import_s, 3),
        "import_load_avg_1m": round(os.getloadavg()[0], 2),
    }
