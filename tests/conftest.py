"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
DOCS_IMG = REPO / "docs" / "img"
UPDATE_DOCS_IMG = "NIANBAO_UPDATE_DOCS_IMG"


def update_docs_image(picture: Path) -> None:
    """Copy a picture the README shows into docs/img, by its name, only when
    ``NIANBAO_UPDATE_DOCS_IMG=1``: otherwise a test run leaves the working tree as it was."""
    if os.environ.get(UPDATE_DOCS_IMG) == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, DOCS_IMG / picture.name)
