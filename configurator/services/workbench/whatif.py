"""What-if on the draft, without releasing: "what if this option cost X" or
"what if this rule were gone": the count of valid configurations, the
cheapest configuration, and the saved work it would affect."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.engine.model import CatalogModel
from configurator.quoting.phrases import N_, Amount
from configurator.services import catalogs
from configurator.services.errors import ServiceError
from configurator.services.workbench import drafts
from configurator.services.workbench.impact import Impact, impact


class WhatIfRefused(ServiceError):
    """A question that names nothing in the catalog, or a price that is not one."""


@dataclass(frozen=True)
class WhatIf:
    """The answer: before is the draft (or the version in use), after is the changed one."""

    question: str
    shown: str  # what was changed: "the draft" or "version N ..."
    cheapest_before: Decimal | None
    cheapest_after: Decimal | None
    impact: Impact


def price_change(session: Session, catalog_id: str, pick: str, price: str) -> WhatIf:
    """What if option `pick` (feature=option) had list price `price`?"""
    base, shown = drafts.try_catalog(session, catalog_id)
    feature_id, _, option_id = pick.partition("=")
    feature = base.model.feature(feature_id)
    if feature is None or feature.option(option_id) is None:
        raise WhatIfRefused(N_("%(catalog)s has no option '%(pick)s'.", catalog=catalog_id, pick=pick))
    try:
        amount = Decimal(price.strip())
    except InvalidOperation:
        raise WhatIfRefused(N_("'%(price)s' is not a price: give an amount such as 120.00.",
                                price=price)) from None
    if not amount.is_finite() or amount < 0:
        raise WhatIfRefused(N_("A price is an amount of 0 or more, such as 120.00."))
    amount = amount.quantize(Decimal("0.01"))
    options = tuple(
        dataclasses.replace(option, price=amount) if option.id == option_id else option
        for option in feature.options
    )
    changed = _with_feature(base.model, dataclasses.replace(feature, options=options))
    # The question is a phrase: the page asks it in the reader's language.
    question = N_("%(pick)s at %(price)s", pick=pick,
                  price=Amount(amount, base.model.currency, coded=False))
    return _answer(session, catalog_id, base, changed, shown, question)


def rule_removed(session: Session, catalog_id: str, rule_name: str) -> WhatIf:
    """What if the rule `rule_name` were removed?"""
    base, shown = drafts.try_catalog(session, catalog_id)
    rules = tuple(rule for rule in base.model.constraints if rule.name != rule_name)
    if len(rules) == len(base.model.constraints):
        raise WhatIfRefused(N_("%(catalog)s has no rule '%(rule)s'.", catalog=catalog_id, rule=rule_name))
    changed = dataclasses.replace(base.model, constraints=rules)
    return _answer(session, catalog_id, base, changed, shown,
                   N_("without rule %(rule)s", rule=rule_name))


def _with_feature(model: CatalogModel, feature) -> CatalogModel:
    features = tuple(feature if f.id == feature.id else f for f in model.features)
    return dataclasses.replace(model, features=features)


def _answer(
    session: Session, catalog_id: str, base: Catalog, model: CatalogModel, shown: str, question: str
) -> WhatIf:
    # Its own fingerprint, so nothing cached for the draft is taken for the variant.
    # A changed price (without price() rules) keeps the shape: the backend chosen for the draft holds.
    after = Catalog(model, f"{base.source_text}\n# what if: {question}\n").share_backend_choice(
        catalogs.compiled_store())
    return WhatIf(
        question, shown, base.complete({}).price, after.complete({}).price,
        impact(session, catalog_id, base, after),
    )
