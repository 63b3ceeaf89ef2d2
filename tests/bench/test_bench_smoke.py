"""The benchmark harness cannot rot: ``python -m bench --quick`` runs end to end and prints its tables.

The smoke run uses tiny sizes and an empty cache directory, so the other clients (immichpy,
aioimmich, the Node CLI) show as "not installed" rows: no network, npm or PyPI is needed. Timings
are never asserted (the machine is noisy); the table structure, the numbers' presence and
consistency, and the connection counts (exact, not timed) are.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench._harness import MB, Budget, Metric, Table

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Printed:
    title: str
    header: list[str]
    rows: dict[str, list[str]]
    text: str


def _tables(output: str) -> dict[str, Printed]:
    """Every ``### title`` section with its pipe table, rows by benchmark name."""
    tables: dict[str, Printed] = {}
    for section in output.split("\n### ")[1:]:
        title, _, body = section.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("| ")]
        assert lines, f"no table under {title!r}"
        header = [cell.strip() for cell in lines[0].strip("|").split("|")]
        rows = {}
        for line in lines[1:]:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            assert len(cells) == len(header), line
            rows[cells[0]] = cells
        tables[title.split(":")[0]] = Printed(title, header, rows, section)
    return tables


def _row(table: Printed, fragment: str) -> list[str]:
    matches = [cells for name, cells in table.rows.items() if fragment in name]
    assert len(matches) == 1, f"{fragment!r} in {list(table.rows)}"
    return matches[0]


def _check_measured(table: Printed, cells: list[str]) -> None:
    """Median/min/max of every metric are numbers with min <= median <= max; the result is a verdict."""
    starts = [i for i, name in enumerate(table.header) if name.endswith(" median")]
    assert starts, table.header
    for start in starts:
        median, low, high = (float(cells[start + k]) for k in range(3))
        assert low <= median <= high, cells
    assert cells[-1] in ("PASS", "MISS", "-"), cells


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Printed]]:
    cache = tmp_path_factory.mktemp("bench-cache")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--cache-dir", str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert list(cache.iterdir()) == [], "--quick must never install the other clients"
    return done.stdout, _tables(done.stdout)


pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_every_benchmark_prints_one_table_with_the_machine(smoke: tuple[str, dict[str, Printed]]) -> None:
    output, tables = smoke
    assert "- CPU: " in output
    assert "- Python: " in output
    assert "- OS: " in output
    assert "- mode: quick smoke run" in output
    assert list(tables) == [
        "Start-up",
        "Listing 2,500 people, pages of 1,000",
        "Connection reuse",
        "Bulk thumbnails",
        "Streaming a 5 MB thumbnail",
        "Editing 100 people (name + favourite), bulk batches of 500",
        "Asset counts of 64 people, 20 ms latency",
        "A person's 1,500 photos",
        "Downloading 24 originals of 0.5 MB at 20 ms latency",
    ]
    for table in tables.values():
        assert table.header[0] == "benchmark"
        assert table.header[-2:] == ["budget", "result"]
        assert "quick smoke run" in table.text  # the caption says how it was measured


def test_startup_rows(smoke: tuple[str, dict[str, Printed]]) -> None:
    table = smoke[1]["Start-up"]
    for fragment in (
        "python -c pass",
        "import httpx' (baseline)",
        "import immiche'",
        "import immich_client.api.people.get_all_people",
        "immiche --help",
        "immiche people list --json",
    ):
        _check_measured(table, _row(table, fragment))
    assert _row(table, "(baseline)")[4] == "1.00x"
    assert _row(table, "import immiche'")[-2] == "<= 0.15 s, <= 30 MB"
    for fragment in ("immichpy --help", "immich --help (Node CLI"):
        cells = _row(table, fragment)
        assert cells[-1] == "not installed"
        assert set(cells[1:-2]) == {"-"}
    assert "not installed: " in table.text
    assert "is empty (a full `make bench`" in table.text


def test_listing_rows(smoke: tuple[str, dict[str, Printed]]) -> None:
    table = smoke[1]["Listing 2,500 people, pages of 1,000"]
    for fragment in (
        "raw httpx + json loop, connected httpx.Client (baseline)",
        "immiche Client.fetch_people(), connected",
        "list(Client.iter_people())",
        "raw httpx.AsyncClient + json loop",
        "AsyncClient.fetch_people()",
        "new httpx.Client per run",
        "new Client per run",
        "connect() alone",
    ):
        _check_measured(table, _row(table, fragment))
    assert _row(table, "immiche Client.fetch_people(), connected")[-2] == "<= 1.25x raw loop"
    assert _row(table, "immichpy")[-1] == "not installed"
    assert _row(table, "aioimmich")[-1] == "not installed"
    assert "Cold start: a new immiche Client costs" in table.text
    assert "3 extra requests" in table.text  # discovery + version check, counted by the server


def test_connection_counts_are_exact(smoke: tuple[str, dict[str, Printed]]) -> None:
    table = smoke[1]["Connection reuse"]
    assert len(table.rows) == 7
    for cells in table.rows.values():
        _check_measured(table, cells)
        assert cells[1:4] == ["1", "1", "1"], cells  # median, min and max of the connections counted
    for name, cells in table.rows.items():
        if name.startswith("raw httpx"):
            assert cells[-2:] == ["-", "-"], name
        else:
            assert cells[-2:] == ["exactly 1 connection", "PASS"], name


def test_thumbnail_and_streaming_rows(smoke: tuple[str, dict[str, Printed]]) -> None:
    thumbnails = smoke[1]["Bulk thumbnails"]
    assert "48 x 20 KB, 20 ms latency" in thumbnails.title
    for fragment in ("sequential (baseline)", "immiche Client.download_thumbnails(concurrency=16)", "raw httpx.Client"):
        _check_measured(thumbnails, _row(thumbnails, fragment))
    assert _row(thumbnails, "(baseline)")[4] == "1.00x"
    streaming = smoke[1]["Streaming a 5 MB thumbnail"]
    assert len(streaming.rows) == 5
    for cells in streaming.rows.values():
        _check_measured(streaming, cells)
    assert _row(streaming, "(baseline)")[4] == "+0.0"


def test_curation_rows_count_requests_exactly(smoke: tuple[str, dict[str, Printed]]) -> None:
    table = smoke[1]["Editing 100 people (name + favourite), bulk batches of 500"]
    assert len(table.rows) == 5
    for cells in table.rows.values():
        _check_measured(table, cells)
    for fragment in ("(baseline)", "immiche Client.update_people()", "AsyncClient.update_people()"):
        assert _row(table, fragment)[5:8] == ["1", "1", "1"], fragment  # 100 people: one bulk request
    for fragment in ("update_person() one by one", "one PUT per person"):
        assert _row(table, fragment)[5:8] == ["100", "100", "100"], fragment
    assert _row(table, "immiche Client.update_people()")[-2:] == ["<= 2 requests", "PASS"]
    assert "with 1 requests instead of 100" in table.text


def test_counts_rows(smoke: tuple[str, dict[str, Printed]]) -> None:
    table = smoke[1]["Asset counts of 64 people, 20 ms latency"]
    for fragment in ("sequential (baseline)", "immiche Client.fetch_asset_counts(", "raw httpx.Client loop"):
        _check_measured(table, _row(table, fragment))
    assert _row(table, "(baseline)")[4] == "1.00x"
    assert _row(table, "immiche Client.fetch_asset_counts")[-2] == ">= 8x faster than the loop"


def test_photo_rows(smoke: tuple[str, dict[str, Printed]]) -> None:
    photos = smoke[1]["A person's 1,500 photos"]
    for fragment in ("search loop, connected httpx.Client (baseline)", "fetch_assets", "iter_assets", "to do, v3.2.2"):
        _check_measured(photos, _row(photos, fragment))
    _check_measured(photos, photos.rows["immiche Client.sync_album(), nothing to do"])
    assert _row(photos, "fetch_assets")[-2] == "<= 1.25x raw loop"
    assert photos.rows["immiche Client.sync_album(), nothing to do"][-2] == "<= 1.25x the listing"
    # counted, not timed: the album lookup, 2 listing pages and 2 pages of the album, no write
    assert "Requests of a sync with nothing to do: 5 (" in photos.text
    assert "Requests of the same sync on v3.2.2: 3 (" in photos.text
    _check_measured(photos, _row(photos, "v3.2.2"))
    originals = smoke[1]["Downloading 24 originals of 0.5 MB at 20 ms latency"]
    assert len(originals.rows) == 5
    for fragment in ("(floor) (baseline)", "immiche Client.download_assets", "AsyncClient.download_assets"):
        median, low, high = (float(cell) for cell in _row(originals, fragment)[1:4])  # wall only: no RSS here
        assert low <= median <= high
    for fragment in ("0.5 MB files", "2 MB files"):
        _check_measured(originals, _row(originals, fragment))
    assert _row(originals, "immiche Client.download_assets(concurrency=8)")[-2] == ">= 0.9x the floor's throughput"


def test_the_budget_summary_lists_every_budgeted_row(smoke: tuple[str, dict[str, Printed]]) -> None:
    output, tables = smoke
    summary = output.split("## Budgets", 1)[1]
    budgeted = [name for table in tables.values() for name, cells in table.rows.items() if cells[-2] != "-"]
    assert (
        len(budgeted) == 23
    )  # 4 start-up, 1 listing, 5 connections, 2 thumbnails, 2 streaming, 2 curation, 1 counts, 3 photos, 3 originals
    for name in budgeted:
        assert f": {name}: " in summary


def test_unknown_benchmark_names_are_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "startup,nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown benchmark nope" in done.stderr


def test_table_verdicts_ratios_and_footnotes() -> None:
    """The harness itself, in process: baseline ratio, budget verdicts, missing rows, notes."""
    wall = Metric("wall", "wall s", "s")
    rss = Metric("rss", "peak RSS MB", "MB", scale=MB, digits=1, compare="delta")
    table = Table("t", "T", ["caption"], [wall, rss])
    base = table.row("base", baseline=True)
    fast = table.row(
        "fast", budget=Budget("<= 1.5x", lambda row, t: row.median("wall") / t.find("base").median("wall") <= 1.5)
    )
    slow = table.row(
        "slow", budget=Budget("<= 1.5x", lambda row, t: row.median("wall") / t.find("base").median("wall") <= 1.5)
    )
    gone = table.row("gone", budget=Budget("<= 1.5x", lambda row, t: True))
    for value in (1.0, 3.0, 2.0):
        base.add("wall", value)
        fast.add("wall", value * 1.2)
        slow.add("wall", value * 2)
    base.add("rss", 10 * MB)
    fast.add("rss", 12.5 * MB)
    gone.fail("not installed", "not installed: elsewhere")
    assert [table.result(row) for row in (base, fast, slow, gone)] == ["-", "PASS", "MISS", "not installed"]
    text = table.render()
    assert "| base (baseline) | 2.000 | 1.000 | 3.000 | 1.00x | 10.0 | 10.0 | 10.0 | +0.0 | - | - |" in text
    assert "| fast | 2.400 | 1.200 | 3.600 | 1.20x | 12.5 | 12.5 | 12.5 | +2.5 | <= 1.5x | PASS |" in text
    assert "| slow | 4.000 | 2.000 | 6.000 | 2.00x | - | - | - | - | <= 1.5x | MISS |" in text
    assert "| gone [1] | - | - | - | - | - | - | - | - | <= 1.5x | not installed |" in text
    assert "[1] not installed: elsewhere" in text
