"""The catalog workbench: catalog managers edit drafts, check them, and
release them.

- `locate`: the line of a problem's location in the YAML text.
- `drafts`: the draft of a product line (never seen by the shop) and its live check, in stages.
- `background_check`, `check_workers`, `check_answers`: the live check in worker processes that
  can be stopped, its answers shared by every web process.
- `diff`: features, options, rules and prices added, removed or changed.
- `impact`: saved configurations and open quotes a release would break or reprice.
- `releases`: release with a note, rollback, scheduled releases and the release log.
- `graph`: the constraint graph laid out for an SVG picture, and a feature's rules.
- `whatif`: a price changed or a rule removed on the draft: count, cheapest, impact.
"""

from configurator.services.workbench import diff, drafts, graph, impact, locate, releases, whatif

__all__ = ["diff", "drafts", "graph", "impact", "locate", "releases", "whatif"]
