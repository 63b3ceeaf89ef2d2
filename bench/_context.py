"""What every benchmark gets: the mode (full or quick), the sizes, and where the other clients live."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench._harness import ROOT


@dataclass(frozen=True)
class Sizes:
    runs: int
    """Measured runs per row (after one warm-up), interleaved across the rows of a table."""
    listing_runs: int
    thumbnail_runs: int
    startup_runs: int
    people: int
    connection_calls: int
    thumbnails: int
    thumbnail_bytes: int
    thumbnail_latency: float
    concurrency: int
    big_thumbnail: int
    small_thumbnail: int
    streaming_runs: int
    curated_people: int
    """People edited by the curation benchmark."""
    counted_people: int
    """People whose asset counts the counts benchmark fetches (at ``thumbnail_latency``)."""
    counts_runs: int
    person_assets: int = 10_000
    """Photos of one person, for the photo listing and the album sync."""
    photo_runs: int = 7
    originals: int = 200
    original_bytes: int = 2_000_000
    original_runs: int = 3


FULL = Sizes(
    runs=7,
    listing_runs=11,
    thumbnail_runs=3,
    startup_runs=11,
    people=10_000,
    connection_calls=200,
    thumbnails=500,
    thumbnail_bytes=20_000,
    thumbnail_latency=0.02,
    concurrency=16,
    big_thumbnail=50_000_000,
    small_thumbnail=20_000,
    streaming_runs=3,
    curated_people=1_000,
    counted_people=1_000,
    counts_runs=2,
)
QUICK = Sizes(
    runs=2,
    listing_runs=2,
    thumbnail_runs=1,
    startup_runs=2,
    people=2_500,
    connection_calls=20,
    thumbnails=48,
    thumbnail_bytes=20_000,
    thumbnail_latency=0.02,
    concurrency=16,
    big_thumbnail=5_000_000,
    small_thumbnail=20_000,
    streaming_runs=1,
    curated_people=100,
    counted_people=64,
    counts_runs=1,
    person_assets=1_500,
    photo_runs=2,
    originals=24,
    original_bytes=500_000,
    original_runs=1,
)


@dataclass(frozen=True)
class Context:
    quick: bool
    sizes: Sizes
    cache: Path
    """bench/.cache: the bench-only venv of the other Python clients and the Node CLI (git-ignored)."""
    install: bool
    """Install the other clients into the cache when missing (full runs; never in --quick)."""
    profile: bool = False
    """Print the profiles of every budgeted row, not only of those that MISS."""
    python: str = sys.executable

    def wants_profile(self, result: str) -> bool:
        return result == "MISS" or (self.profile and result == "PASS")

    @property
    def mode(self) -> str:
        return "quick smoke run (tiny sizes: numbers are not meaningful)" if self.quick else "full run"

    @property
    def immiche_script(self) -> str:
        """The installed ``immiche`` console script beside this Python."""
        beside = Path(self.python).parent / "immiche"
        if beside.exists():
            return str(beside)
        found = shutil.which("immiche")
        if found is None:
            raise FileNotFoundError("the immiche console script is not installed (make install)")
        return found

    def isolated_env(self, config_dir: Path, **extra: str) -> dict[str, str]:
        """The environment for a CLI run: no real profile or credential can leak in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMMICH_")}
        env.update(IMMICH_CONFIG_DIR=str(config_dir / "immich"), XDG_CONFIG_HOME=str(config_dir))
        env.update(extra)
        return env


def default_cache() -> Path:
    return ROOT / "bench" / ".cache"
