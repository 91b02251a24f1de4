"""Which features a rule names together (the reasons suggestions may give):
totals over attributes or dimensions tie nothing."""

from pathlib import Path

from configurator.engine import load_catalog
from configurator.engine.graph import feature_graph, related_features

CATALOG = Path(__file__).parents[2] / "catalog"


def test_a_weight_limit_ties_no_features_but_a_rule_naming_them_does():
    model = load_catalog(CATALOG / "city-bike.yaml").model
    related = related_features(model)
    # The constraint graph joins size and brakes through the weight limits...
    assert "brakes" in set(feature_graph(model).neighbors("size"))
    # ...but no rule names them together.
    assert "brakes" not in related["size"] and "size" not in related["brakes"]
    assert related["size"] == {"frame"}
    assert "frame" in related["brakes"] and "brakes" in related["frame"]
    assert related["lock"] == {"theft_insurance"}


def test_related_is_symmetric():
    model = load_catalog(CATALOG / "standing-desk.yaml").model
    related = related_features(model)
    for feature, others in related.items():
        for other in others:
            assert feature in related[other]
