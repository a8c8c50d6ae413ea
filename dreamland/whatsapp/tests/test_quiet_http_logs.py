"""httpx logs each request at INFO; the settings and the ingest bench keep it at WARNING."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings


def test_settings_silence_httpx_and_httpcore_info_lines() -> None:
    logging_config: dict[str, Any] = settings.LOGGING
    loggers = logging_config["loggers"]
    assert loggers["httpx"]["level"] == "WARNING"
    assert loggers["httpcore"]["level"] == "WARNING"


def test_the_ingest_bench_silences_httpx_on_import() -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)
    logging.getLogger("httpcore").setLevel(logging.INFO)
    importlib.reload(importlib.import_module("bench.webhook_ingest"))
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpcore").isEnabledFor(logging.INFO)
