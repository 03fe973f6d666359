"""Production settings (config/settings.py, from the environment as the Dockerfile sets it),
with one addition: the trivial view's URL, so a load run measures the framework alone at
the same load as the pages."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
