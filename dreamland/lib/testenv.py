"""pytest plugin loaded before Django starts (`-p dreamland.lib.testenv`): the test environment.

Tasks run in the calling process, so a test sees the effect of a task without a worker.
"""

from __future__ import annotations

import os

os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("STATIC_MANIFEST", "false")
