"""The live configurator and the configurations customers save.

- `selection`: the picks, read from a form, changed one at a time.
- `actions`: the page's buttons (repair, complete, clear, usual choices).
- `page`: everything the configurator page shows for a selection.
- `recheck`: an old selection against today's catalog, and where to start from.
- `configurations`: saved configurations and their revisions.
- `diff`: what changed between two revisions.
- `names`: feature and option names for messages.
- `repairs`: the engine's repairs, remembered per catalog.
- `pictures`: the picture of a selection, the picked options' images stacked.
"""

from configurator.services.configuring import (
    actions,
    configurations,
    diff,
    names,
    page,
    pictures,
    recheck,
    repairs,
    selection,
)

__all__ = ["actions", "configurations", "diff", "names", "page", "pictures", "recheck", "repairs", "selection"]
