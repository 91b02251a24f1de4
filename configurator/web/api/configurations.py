"""Saved configurations and their revisions, for the token's user."""

from __future__ import annotations

from typing import Any

from flask import url_for

from configurator.services.configuring import configurations
from configurator.services.errors import NotFound
from configurator.store.models import Configuration, User
from configurator.web.api import schemas
from configurator.web.api.lists import keyset_page
from configurator.web.api.operations import operation
from configurator.web.api.problems import ApiProblem
from configurator.web.database import db
from configurator.web.i18n import error_text

TAG = "Configurations"
ID = "<int:configuration_id>"
NUMBER = "<int:number>"


def _own_configuration(user: User, configuration_id: int) -> None:
    """Only the owner changes a configuration (staff may read it, not change it)."""
    if configurations.get(db.session, user, configuration_id).owner_id != user.id:
        raise NotFound("There is no such configuration.")


@operation("/configurations", "GET", scope="configurations:read", tag=TAG,
           query=schemas.PageQuerySchema, response=schemas.ConfigurationPageSchema)
def list_configurations(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """List your configurations, most recently changed first.

    Paged with `limit` and the `cursor` of the `next` link (keyset paging: no
    row is skipped or shown twice when others are saved meanwhile).
    """
    page = configurations.page_for(db.session, user, cursor=query["cursor"], size=query["limit"])
    return keyset_page(page, "api.list_configurations", query["limit"])


@operation("/configurations", "POST", scope="configurations:write", tag=TAG,
           body=schemas.ConfigurationCreateSchema, response=schemas.ConfigurationSchema,
           status=201)
def create_configuration(user: User, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Save a new configuration as revision 1 of the product line's current version."""
    try:
        configuration = configurations.create(
            db.session, user, body["catalog_id"], body["name"], body["selection"]
        )
    except NotFound as error:  # the product line named in the body
        raise ApiProblem(422, error_text(error), errors={"catalog_id": [error_text(error)]}) from error
    location = url_for("api.get_configuration", configuration_id=configuration.id)
    return configuration_view(user, configuration.id), {"Location": location}


@operation(f"/configurations/{ID}", "GET", scope="configurations:read", tag=TAG,
           response=schemas.ConfigurationSchema)
def get_configuration(user: User, configuration_id: int) -> dict[str, Any]:
    """Get a configuration with its newest revision and the list of all revisions."""
    return configuration_view(user, configuration_id)


@operation(f"/configurations/{ID}", "PATCH", scope="configurations:write", tag=TAG,
           body=schemas.ConfigurationRenameSchema, response=schemas.ConfigurationSchema,
           find=_own_configuration)
def rename_configuration(user: User, configuration_id: int, body: dict[str, Any]) -> Any:
    """Rename a configuration.

    The picks stay as they are: no new revision is made.
    """
    try:
        configurations.rename(db.session, user, configuration_id, body["name"])
    except configurations.InvalidName as error:
        raise ApiProblem(422, error_text(error), errors={"name": [error_text(error)]}) from error
    return configuration_view(user, configuration_id)


@operation(f"/configurations/{ID}/revisions", "POST", scope="configurations:write", tag=TAG,
           body=schemas.RevisionCreateSchema, response=schemas.RevisionSchema, status=201,
           also=(200,), problems=(409,), find=_own_configuration)
def revise_configuration(user: User, configuration_id: int, body: dict[str, Any]) -> Any:
    """Save new picks as the next revision, if `base_revision` is still the newest.

    409 (stale-revision) when another client saved a newer revision meanwhile:
    nothing is overwritten; fetch the configuration and apply the picks again.
    When nothing differs from the newest revision, that revision is returned
    with 200 and no new one is made.
    """
    revision = configurations.revise(
        db.session, user, configuration_id, body["base_revision"], body["selection"]
    )
    location = url_for(
        "api.get_revision", configuration_id=configuration_id, number=revision.number
    )
    unchanged = revision.number == body["base_revision"]
    return revision, {"Location": location}, 200 if unchanged else 201


@operation(f"/configurations/{ID}/revisions/{NUMBER}", "GET", scope="configurations:read",
           tag=TAG, response=schemas.RevisionSchema)
def get_revision(user: User, configuration_id: int, number: int) -> Any:
    """Get one revision of a configuration."""
    return configurations.revision(db.session, user, configuration_id, number)


def configuration_view(user: User, configuration_id: int) -> dict[str, Any]:
    """What ConfigurationSchema dumps for one configuration."""
    configuration: Configuration = configurations.get(db.session, user, configuration_id)
    return {
        "id": configuration.id,
        "name": configuration.name,
        "catalog_id": configuration.catalog_id,
        "derived_from_id": configuration.derived_from_id,
        "created_at": configuration.created_at,
        "updated_at": configuration.updated_at,
        "latest": configurations.latest_revision(db.session, configuration),
        "revisions": configurations.revisions(db.session, user, configuration_id),
    }
