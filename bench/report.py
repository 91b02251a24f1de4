"""The targets of the engine benchmark and the table that compares figures with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its unit and, if any, the target it must meet."""

    label: str
    key: str
    fmt: Callable[[Any], str]
    target: str = ""
    meets: Callable[[float], bool] | None = None
    catalogs: tuple[str, ...] = ("medium", "big")  # where the target applies


def _seconds(value: Any) -> str:
    return f"{value:.2f} s"


def _ms(value: Any) -> str:
    return f"{value:.1f} ms"


def _mib(value: Any) -> str:
    return f"{value:.0f} MiB"


def _plain(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _count(value: Any) -> str:
    return f"{int(value):,}"


ROWS = (
    Row("load + prepare", "load_prepare_s", _seconds, "< 10 s", lambda v: v < 10),
    Row("  of which load_catalog", "load_s", _seconds),
    Row("  of which first domains({})", "first_domains_s", _seconds),
    Row("count() alone", "count_s", _seconds, "< 5 s (big)", lambda v: v < 5, ("big",)),
    Row("exact count", "count", _count),
    Row("  equals the exact count", "count_matches", _plain, "yes"),
    Row("check() with count", "check_s", _seconds),
    Row("check: usable / dead options", "check_summary", _plain),
    Row("sales rows replayed", "rows_summary", _plain),
    Row("picks", "picks", _plain),
    Row("per pick P50", "pick_p50_ms", _ms),
    Row("per pick P95", "pick_p95_ms", _ms, "<= 50 ms (big)", lambda v: v <= 50, ("big",)),
    Row("per pick max", "pick_max_ms", _ms),
    Row("per pick CPU time P50", "pick_cpu_p50_ms", _ms),
    Row("per pick CPU time P95 (what a pick costs on a quiet core)", "pick_cpu_p95_ms", _ms),
    Row("  P95 of domains() alone", "domains_p95_ms", _ms),
    Row("  P95 of price() alone", "price_p95_ms", _ms),
    Row("replay errors", "errors", _plain, "0", lambda v: v == 0),
    Row("peak memory (ru_maxrss)", "peak_memory_mib", _mib, "< 1 GiB", lambda v: v < 1024),
)


def derived(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures plus the combined cells of the table."""
    result = dict(figures)
    if "check_usable" in figures:
        result["check_summary"] = f"{figures['check_usable']} / {figures['dead_options']}"
    if "published_count" in figures and "count" in figures:
        same = int(figures["count"]) == int(figures["published_count"])
        result["count_matches"] = "yes" if same else f"NO: {int(figures['published_count']):,}"
    if "sales_rows" in figures:
        result["rows_summary"] = f"{figures['sales_rows']:,} of {figures['sales_rows_in_file']:,}"
    return result


def cell(row: Row, catalog: str, figures: dict[str, Any]) -> str:
    """The formatted figure, marked `ok` or `MISS` where a target applies."""
    if "failed" in figures:
        return "failed"
    value = figures.get(row.key)
    if value is None:
        return "-"
    text = row.fmt(value)
    if row.meets is not None and catalog in row.catalogs:
        text += " ok" if row.meets(float(value)) else " MISS"
    return text


def table(results: dict[str, dict[str, Any]]) -> str:
    """A plain-text table: one line per figure, one column per catalog, then the target."""
    names = list(results)
    columns = {name: derived(figures) for name, figures in results.items()}
    header = ["figure", *names, "target"]
    lines = [[row.label, *(cell(row, n, columns[n]) for n in names), row.target] for row in ROWS]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def render(line: list[str]) -> str:
        return "  ".join(
            text.ljust(width) if i == 0 else text.rjust(width)
            for i, (text, width) in enumerate(zip(line, widths))
        )

    return "\n".join([render(header), render(["-" * w for w in widths]), *map(render, lines)])


def failures(results: dict[str, dict[str, Any]]) -> list[str]:
    """Lines about catalogs whose run failed, whose count is not the published one, or whose replay found errors."""
    lines = []
    for name, figures in results.items():
        if "failed" in figures:
            lines.append(f"{name}: the run failed: {figures['failed']}")
        matches = derived(figures).get("count_matches", "yes")
        if matches != "yes":
            lines.append(
                f"{name}: count {int(figures['count']):,} is not the published {matches[4:]}"
            )
        for error in figures.get("first_errors", []):
            lines.append(
                f"{name}: sales row {error['row']}, {error['feature']}={error['option']}: {error['error']}"
            )
    return lines
