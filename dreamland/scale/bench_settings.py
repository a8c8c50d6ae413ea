"""Settings for the benchmark server only: the site's, with `/bench/bare/` routed."""

from __future__ import annotations

from dreamland.settings import *  # noqa: F403

ROOT_URLCONF = "dreamland.scale.bench_urls"
