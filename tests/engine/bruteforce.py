"""An independent reference for the engine: brute force over complete configurations.

Nothing here uses the engine's compiler or solver. A configuration is a dict
feature id -> frozenset of option ids; the only judge of validity is
`configurator.engine.evaluate.is_valid(model, config, customer)`, which reads
the rules straight from the catalog model.

`Enumeration` lists every complete valid configuration of a small catalog
once and answers everything from that list (domains, may-be-empty,
consistency, completeness, count, cheapest price). For a larger catalog it
can enumerate only the configurations that contain a given selection: deep
enough in a selection, that space is small again, and the answers for that
selection (or any selection containing it) stay exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, product
from pathlib import Path

from configurator.engine.evaluate import is_valid
from configurator.engine.loader import parse_model
from configurator.engine.model import CatalogModel, Feature

Config = dict[str, frozenset[str]]
Picks = dict[str, frozenset[str]]
Selection = Mapping[str, "str | Sequence[str]"]
Customer = Mapping[str, str]


def model_from_text(text: str, path: str = "test.yaml") -> CatalogModel:
    """Parse catalog text (YAML or JSON) into a model, without the engine's solver."""
    return parse_model(text, path)


def model_from_file(path: Path) -> CatalogModel:
    """Parse a catalog file into a model."""
    return model_from_text(Path(path).read_text(encoding="utf-8"), str(path))


def feature_choices(feature: Feature) -> list[frozenset[str]]:
    """Every set of options the feature's `choose` allows, smallest first."""
    ids = feature.option_ids()
    top = min(feature.max, len(ids))
    return [
        frozenset(chosen) for k in range(feature.min, top + 1) for chosen in combinations(ids, k)
    ]


def space_size(model: CatalogModel, within: Selection | None = None) -> int:
    """How many configurations satisfy every `choose` (and contain `within`), before any rule."""
    picks = normalize_selection(within or {})
    size = 1
    for feature in model.features:
        size *= len(_choices_within(feature, picks))
    return size


def normalize_selection(selection: Selection) -> Picks:
    """The selection as feature -> frozenset of picked options (multi-select as a list)."""
    picks: Picks = {}
    for feature_id, value in selection.items():
        values = [value] if isinstance(value, str) else list(value)
        picks[feature_id] = frozenset(values)
    return picks


def contains(config: Config, picks: Picks) -> bool:
    """True when the configuration picks at least the selected options."""
    return all(
        chosen <= config.get(feature_id, frozenset()) for feature_id, chosen in picks.items()
    )


def config_price(model: CatalogModel, config: Config) -> Decimal:
    """Total list price of the chosen options."""
    total = Decimal(0)
    for feature in model.features:
        for option in feature.options:
            if option.id in config.get(feature.id, frozenset()):
                total += option.price
    return total


def config_from_selection(model: CatalogModel, selection: Selection) -> Config:
    """The configuration that picks exactly the selection and nothing else."""
    picks = normalize_selection(selection)
    return {feature.id: picks.get(feature.id, frozenset()) for feature in model.features}


def valid(model: CatalogModel, config: Config, customer: Customer | None) -> bool:
    """The evaluator's verdict on one complete configuration."""
    return bool(is_valid(model, {f: set(o) for f, o in config.items()}, dict(customer or {})))


# ---------------------------------------------------------------- enumeration


@dataclass(frozen=True)
class Reference:
    """What the engine must answer for one selection, computed by brute force."""

    consistent: bool
    complete: bool
    domains: dict[str, list[str]]
    may_be_empty: list[str]
    cheapest: Decimal | None


class Enumeration:
    """All complete valid configurations for one customer (those containing `within`, if given).

    Only selections that contain `within` may then be asked about.
    """

    def __init__(
        self,
        model: CatalogModel,
        customer: Customer | None = None,
        limit: int = 20_000,
        within: Selection | None = None,
    ):
        self.within = normalize_selection(within or {})
        size = space_size(model, self.within)
        if size > limit:
            raise ValueError(f"{size} configurations to enumerate, more than the limit {limit}")
        self.model = model
        self.customer = dict(customer or {})
        self.configs: list[Config] = [
            config
            for config in all_configurations(model, self.within)
            if valid(model, config, self.customer)
        ]

    @property
    def count(self) -> int:
        """Number of complete valid configurations."""
        return len(self.configs)

    def matching(self, selection: Selection) -> list[Config]:
        """The valid configurations that contain the selection."""
        picks = normalize_selection(selection)
        if not contains(picks, self.within):
            raise ValueError(f"{selection} does not contain the enumerated part {self.within}")
        return [config for config in self.configs if contains(config, picks)]

    def reference(self, selection: Selection) -> Reference:
        """Domains, may-be-empty, consistency, completeness and cheapest price of a selection."""
        matching = self.matching(selection)
        domains = {
            feature.id: [
                o for o in feature.option_ids() if any(o in c[feature.id] for c in matching)
            ]
            for feature in self.model.features
        }
        may_be_empty = [f.id for f in self.model.features if any(not c[f.id] for c in matching)]
        exact = config_from_selection(self.model, selection)
        cheapest = min((config_price(self.model, c) for c in matching), default=None)
        return Reference(
            consistent=bool(matching),
            complete=bool(matching) and valid(self.model, exact, self.customer),
            domains=domains,
            may_be_empty=may_be_empty,
            cheapest=cheapest,
        )


def all_configurations(model: CatalogModel, within: Picks | None = None) -> Iterator[Config]:
    """Every configuration that satisfies each feature's `choose` (and contains `within`)."""
    ids = [feature.id for feature in model.features]
    for combo in product(*(_choices_within(feature, within or {}) for feature in model.features)):
        yield dict(zip(ids, combo))


def _choices_within(feature: Feature, within: Picks) -> list[frozenset[str]]:
    wanted = within.get(feature.id, frozenset())
    return [chosen for chosen in feature_choices(feature) if wanted <= chosen]


def assert_domains_match(catalog, enumeration: Enumeration, selection: Selection, customer: Customer | None) -> None:
    """The engine's state for `selection` is exactly the enumerated one (consistency, completeness, domains)."""
    expected = enumeration.reference(selection)
    state = catalog.domains(selection, customer)
    where = f"selection {selection}, customer {customer}"
    assert state.consistent == expected.consistent, where
    assert state.complete == expected.complete, where
    assert dict(state.domains) == expected.domains, where
    assert set(state.may_be_empty) == set(expected.may_be_empty), where
