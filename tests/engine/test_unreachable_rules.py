"""`check` names the rules whose case can never arise under the other rules, and only those."""

from __future__ import annotations

from configurator.engine import Catalog

CATALOG = """
catalog: unreachable
name: Unreachable
version: 1
currency: EUR
features:
  - {id: frame, name: Frame, dimension: product, choose: one,
     options: [{id: alu, name: Alu, price: 100, attributes: {w: 2}},
               {id: carbon, name: Carbon, price: 500, attributes: {w: 1}}]}
  - {id: brakes, name: Brakes, dimension: product, choose: one,
     options: [{id: rim, name: Rim, price: 20}, {id: disc, name: Disc, price: 80}]}
  - {id: payment, name: Payment, dimension: billing, choose: one,
     options: [{id: card, name: Card}, {id: instalments, name: Instalments}]}
constraints:
  - {id: no-carbon-rim, forbid: frame == carbon and brakes == rim}
  - {id: carbon-disc, if: frame == carbon and brakes == rim, then: payment == card}
  - {id: instalments-from-600, if: payment == instalments, then: price() >= 600}
  - {id: dear-instalments, if: payment == instalments and price() < 580, then: brakes == disc}
  - {id: heavy, forbid: sum(w) > 2}
  - {id: light-carbon, if: sum(w) == 1, then: frame == carbon}
"""


def test_only_rules_whose_case_cannot_arise_are_reported():
    report = Catalog.from_text(CATALOG, "unreachable.yaml").check()
    assert report.usable
    named = sorted(line.split("constraint ")[1].split(":")[0] for line in report.unreachable_rules)
    # carbon with rim brakes is forbidden; instalments below 580 is excluded by the 600 rule;
    # every frame weighs at most 2. The 600 rule itself and light-carbon can arise.
    assert named == ["carbon-disc", "dear-instalments", "heavy"]
