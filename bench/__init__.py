"""Benchmarks (`make bench`): every figure is printed as `name: value` on its own line.

Each module in this package with a `run() -> dict[str, float | str]` is one benchmark; a figure
is always reported next to a floor measured in the same run (see ../shared/PERFORMANCE.md).
"""
