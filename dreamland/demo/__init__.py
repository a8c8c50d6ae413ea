"""Demo data for `manage.py seed_demo`: a believable agency to click through on day one."""
