"""Each report section's figures, cached until a write changes what it reads.

A section's result is kept in Django's cache under a key naming the section, the viewer's scope
and filters (agent or everyone, dates, currency, language and time zone: the results carry
translated labels and months) and the versions of the topics it reads (`reports.freshness`,
kept in the database). A write bumps its topics' versions after commit, so the next view misses
and recomputes that section only, lazily; the other sections stay cached. The page's rendered
figures (`page_key`) are cached the same way, under all their sections' keys. `TTL` bounds how long
a write that bypassed the services (a shell, raw SQL) could go unseen, and frees memory.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation

from dreamland.lib.changes import CLIENTS, LEADS, SALES
from dreamland.reports import selectors as s
from dreamland.reports.freshness import report_versions
from dreamland.reports.tables import REPORTS

TTL = 600  # seconds

# What each section reads (its selector's tables): the topics whose writes make it stale.
READS: dict[str, tuple[str, ...]] = {
    "funnel": (LEADS,),
    "sources": (LEADS, SALES),
    "acquisition": (LEADS, CLIENTS, SALES),  # clients created; their leads (agent filter)
    "agents": (LEADS,),  # leads, their first-message times, agents' names
    "revenue": (SALES,),
    "occupancy": (SALES,),
    "top_clients": (SALES, CLIENTS),
    "outstanding": (SALES, CLIENTS),
}


def _topics(name: str, f: s.ReportFilter) -> tuple[str, ...]:
    """What a section reads: `READS`, and with an agent's filter also `LEADS`: one agent's
    bookings and payments are those of their leads, so a reassignment moves them."""
    topics = READS[name]
    return topics if f.agent is None or LEADS in topics else (*topics, LEADS)


def _key(name: str, f: s.ReportFilter, versions: dict[str, int]) -> str:
    seen = ",".join(f"{topic}={versions[topic]}" for topic in _topics(name, f))
    scope = f.agent.pk if f.agent else "all"
    parts = (
        scope,
        f.start,
        f.end,
        f.currency,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate(),  # "today" moves the outstanding and overdue figures
        seen,
    )
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"reports:{name}:{digest}"


def report_keys(f: s.ReportFilter, names: list[str] | None = None) -> dict[str, str]:
    """Each section's cache key for the filter `f` at the current versions (one query)."""
    versions = report_versions()
    return {name: _key(name, f, versions) for name in (list(REPORTS) if names is None else names)}


def report_results(f: s.ReportFilter, keys: dict[str, str]) -> dict[str, Any]:
    """The sections of `keys` (`report_keys`) for the filter `f`, in one cache read; a section
    missing from the cache is computed and stored."""
    found = cache.get_many(list(keys.values()))
    results, fresh = {}, {}
    for name, key in keys.items():
        if key in found:
            results[name] = found[key]
        else:
            results[name] = fresh[key] = REPORTS[name](f)
    if fresh:
        cache.set_many(fresh, TTL)
    return results


def page_key(keys: dict[str, str], query: str) -> str:
    """The key of the page's rendered figures: its sections' keys and its query string (the
    download links carry it)."""
    digest = hashlib.sha256("|".join([*keys.values(), query]).encode()).hexdigest()[:24]
    return f"reports:page:{digest}"
