"""Run every benchmark module in `bench/` (or those named on the command line)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    names = argv or sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"# {name}", flush=True)
        try:
            figures = module.run()
        except Exception:
            traceback.print_exc()
            failed += 1
            continue
        for key, value in figures.items():
            print(f"{key}: {value}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
