"""Repairs remembered per catalog: the configurator offers one for every
disabled option, and each is a cheapest-completion search over the whole
catalog (tens of milliseconds on the demo catalogs). A page after a save
shows the selection the last pick already showed, so without this every
save and order re-did every repair of it (bench/saves.py)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping

from configurator.engine import Catalog, Repair
from configurator.services.configuring.selection import Selection

CACHE_SIZE = 4096  # repairs per catalog, like the engine's explanation cache

_Key = tuple
_caches: weakref.WeakKeyDictionary[Catalog, OrderedDict[_Key, Repair | None]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def repair(
    catalog: Catalog,
    feature_id: str,
    option_id: str,
    selection: Selection,
    customer: Mapping[str, str] | None = None,
) -> Repair | None:
    """`catalog.repair(...)`, answered from the cache when asked before.

    A catalog is immutable once loaded (a changed file is a new version, a
    new `Catalog`), so an answer stays right for as long as its catalog lives.
    """
    customer = dict(customer or {})
    key = (feature_id, option_id, _frozen(selection), tuple(sorted(customer.items())))
    with _lock:
        cache = _caches.setdefault(catalog, OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    found = catalog.repair(feature_id, option_id, selection, customer=customer)
    with _lock:
        cache[key] = found
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return found


def _frozen(selection: Selection) -> tuple:
    """A selection as a hashable value; the order of a multi-select's picks does not matter."""
    return tuple(
        sorted(
            (feature, tuple(sorted(value)) if isinstance(value, list | tuple) else value)
            for feature, value in selection.items()
        )
    )
