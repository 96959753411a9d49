"""Shared test settings."""

import os

os.environ.setdefault("SIMTEAM_NO_PROGRESS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
