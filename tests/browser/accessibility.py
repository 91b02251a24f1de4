"""axe-core in the browser tests: inject the vendored axe.min.js into a page and
list what it finds against WCAG 2.1 A and AA.

The shop's Content-Security-Policy allows no inline script, so pages that are
checked come from a browser context opened with `bypass_csp=True` (see the
`axe_page` fixture of test_accessibility.py); the shop never serves axe.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")


def violations(page, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """Each axe violation of at least the given impact, as "rule: target (summary)"."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in impacts:
            continue
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())[:200]
            found.append(f"{violation['id']}: {' '.join(map(str, node['target']))} ({summary})")
    return found
