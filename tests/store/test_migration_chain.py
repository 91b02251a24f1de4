"""The migrations form one line: two areas adding a migration after the same
parent would leave two heads, and the order they run in would depend on Alembic."""

from alembic.script import ScriptDirectory

from configurator.store.migrate import alembic_config


def test_migrations_have_one_head_and_no_branch() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    children: dict[str, list[str]] = {}
    for script in scripts.walk_revisions():
        for parent in script._all_down_revisions:
            children.setdefault(parent, []).append(script.revision)
    branched = {parent: kids for parent, kids in children.items() if len(kids) > 1}
    assert not branched, f"more than one migration after the same parent: {branched}"
