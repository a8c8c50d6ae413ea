"""Client import: 100k spreadsheet rows through the same path as `import_clients` and the UI.

`import_100k_rows_s` is the whole import (read, clean, match, write clients and leads in
chunks); `import_100k_read_s` is reading and cleaning the same file without writing — the floor
the import is compared against in the same run. Runs against `BENCH_DATABASE_URL` (default the
PostgreSQL database `dreamland_bench`); the rows it makes are deleted at the end.
"""

from __future__ import annotations

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


def run() -> dict[str, Any]:
    _setup()
    from dreamland.clients.models import Client
    from dreamland.imports.cleaning import clean_row
    from dreamland.imports.reader import read_rows
    from dreamland.imports.services import _tours, import_run

    content = _file()
    Client.objects.filter(phone__startswith="+77479").delete()
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
    finally:
        Client.objects.filter(phone__startswith="+77479").delete()
    assert report.imported == ROWS and len(report.rejected) == 1, report.summary()
    return {
        "import_100k_rows_s": f"{import_s:.1f} s",
        "import_100k_read_s": f"{read_s:.1f} s",
        "import_rows_per_s": round(ROWS / import_s),
        "import_ratio_to_read": round(read_s / import_s, 2),
    }
