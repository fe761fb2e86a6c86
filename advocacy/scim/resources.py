"""SCIM resources from and to our rows, with the `scim2-models` models: what this service publishes
(ServiceProviderConfig, ResourceTypes, Schemas), how a User reads as a person, how rows answer back, ETags.
Pure: no I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import msgspec
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    BaseModel,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    InvalidValueException,
    ListResponse,
    Patch,
    Resource,
    ResourceType,
    ResponseParameters,
    SCIMException,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import Error as ScimError

from advocacy.people.schemas import PersonCreate
from advocacy.scim.schemas import PersonFields, ScimGroupRow, ScimUserRow

SCIM_MEDIA_TYPE = "application/scim+json"
USER_MODEL = User[EnterpriseUser]
MAX_RESULTS = 200
DISPLAY_MAX = 120
# A person provisioned without an e-mail address gets one that can never receive mail (RFC 2606 .invalid)
# until the provider sends one; it is never answered back as theirs.
PLACEHOLDER_DOMAIN = "@provisioned.invalid"

# What Microsoft Entra ID sends beyond the letter of RFC 7644 is tolerated: attributes we do not model are
# dropped, a `remove` carrying a value removes that value, and a path filter that matches nothing (e.g.
# `emails[type eq "work"].value` on a user without one) makes the entry it describes.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=True),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="SCIM token",
            description="A SCIM token an administrator created (POST /api/v1/admin/scim-tokens)",
            primary=True,
        )
    ],
)

PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group],
    resource_types=[ResourceType.from_resource(USER_MODEL), ResourceType.from_resource(Group)],
    config=CONFIG,
    policy=POLICY,
)


def invalid_payload(error: ValidationError) -> SCIMException:
    """The SCIM exception a payload the models refused stands for (its first error: scimType and status)."""
    first = ScimError.from_validation_errors(error)[0]
    return SCIMException.from_error(first)


def read(model: type[BaseModel], payload: Any, context: Context) -> Any:
    """A request payload as the model reads it in this context; a SCIM error (400) when it does not fit."""
    try:
        return model.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except ValidationError as error:
        raise invalid_payload(error) from None


def _language_of(value: str | None) -> str | None:
    code = (value or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in ("fr", "en") else None


def _clip(text: str | None) -> str | None:
    text = " ".join((text or "").split())[:DISPLAY_MAX]
    return text or None


def person_fields(user: Any) -> PersonFields:
    """What a SCIM User says of the person's columns: the primary e-mail (else the first, else an e-mail
    userName), the display name (else name.formatted, else given and family names, else userName), title,
    preferredLanguage (fr or en; else locale) and active (true unless said otherwise)."""
    emails = [e for e in (user.emails or []) if e.value]
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    email = chosen.value if chosen is not None else (user.user_name if "@" in (user.user_name or "") else "")
    name = user.name
    given = " ".join(p for p in (name.given_name, name.family_name) if p) if name else ""
    display = _clip(user.display_name) or _clip(name.formatted if name else None) or _clip(given)
    fields = PersonFields(
        email=email or "",
        display_name=display or _clip(user.user_name) or "?",
        job_title=_clip(user.title),
        language=_language_of(user.preferred_language) or _language_of(user.locale),
        active=user.active is not False,
    )
    if fields.email:
        try:
            msgspec.convert({"email": fields.email, "display_name": fields.display_name}, PersonCreate)
        except msgspec.ValidationError:
            raise InvalidValueException(detail=f"{fields.email!r} is not an e-mail address") from None
    return fields


def stored_attributes(user: Any) -> dict[str, Any]:
    """What to keep of a User to answer it back: everything it said but its id, meta, groups, the columns
    of scim_users (userName, externalId) and its password (SCIM never sets one here: people sign in with
    single sign-on or an invitation)."""
    user.password = None
    data = user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    for key in ("id", "meta", "groups", "userName", "externalId", "password"):
        data.pop(key, None)
    return dict(data)


def version_of(data: dict[str, Any]) -> str:
    """A weak ETag of a resource's representation (its meta left out): it changes whenever what a caller
    reads changes, whichever way the change came (SCIM, the API, the CSV import)."""
    body = json.dumps({k: v for k, v in data.items() if k != "meta"}, sort_keys=True, default=str)
    return 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:20] + '"'


def _meta(data: dict[str, Any], kind: str, location: str, created: Any, modified: Any) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": created.isoformat(),
        "lastModified": modified.isoformat(),
        "location": location,
        "version": version_of(data),
    }


def user_data(row: ScimUserRow, base_url: str) -> dict[str, Any]:
    """The User as a caller reads it: what the provider sent, with the person's columns where they changed
    since (an admin's edit, a deactivation through the API or the CSV)."""
    data: dict[str, Any] = dict(row.attributes)
    data["schemas"] = data.get("schemas") or [str(User.__schema__)]
    data["id"] = str(row.public_id)
    data["userName"] = row.user_name
    if row.external_id is not None:
        data["externalId"] = row.external_id
    sent = person_fields(read(USER_MODEL, data, Context.DEFAULT))
    if row.display_name != sent.display_name:
        data["displayName"] = row.display_name
    if (row.job_title or None) != sent.job_title:
        data["title"] = row.job_title
    if row.active != sent.active:
        data["active"] = row.active
    # a User the provider sent without any address keeps none in SCIM (the person keeps their last one)
    if sent.email and row.email != sent.email and not row.email.endswith(PLACEHOLDER_DOMAIN):
        emails = [dict(e) for e in data.get("emails") or []]
        index = next((i for i, e in enumerate(emails) if e.get("primary")), 0)
        if emails:
            emails[index]["value"] = row.email
        else:
            emails = [{"value": row.email, "type": "work", "primary": True}]
        data["emails"] = emails
    if row.groups:
        data["groups"] = [
            {
                "value": str(g["id"]),
                "$ref": f"{base_url}/Groups/{g['id']}",
                "display": g["display"],
                "type": "direct",
            }
            for g in row.groups
        ]
    location = f"{base_url}/Users/{row.public_id}"
    data["meta"] = _meta(data, "User", location, row.created_at, row.updated_at)
    return data


def group_data(row: ScimGroupRow, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schemas": [str(Group.__schema__)],
        "id": str(row.public_id),
        "displayName": row.display_name,
    }
    if row.external_id is not None:
        data["externalId"] = row.external_id
    if row.members:
        data["members"] = [
            {
                "value": str(m["id"]),
                "$ref": f"{base_url}/Users/{m['id']}",
                "type": "User",
                "display": m["display"],
            }
            for m in row.members
        ]
    data["meta"] = _meta(data, "Group", f"{base_url}/Groups/{row.public_id}", row.created_at, row.updated_at)
    return data


def answer(
    model: type[Resource[Any]], data: dict[str, Any], parameters: ResponseParameters[Any] | None
) -> dict[str, Any]:
    """A resource's body as sent: through the model, keeping only the `attributes` asked for (or leaving out
    the `excludedAttributes`)."""
    resource = model.model_validate(data, scim_policy=POLICY)
    body: dict[str, Any] = resource.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters, scim_policy=POLICY
    )
    return body


def list_answer(
    model: type[Resource[Any]],
    items: Sequence[dict[str, Any]],
    *,
    total: int,
    start_index: int,
    parameters: ResponseParameters[Any] | None,
) -> dict[str, Any]:
    response = ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start_index,
        items_per_page=len(items),
        resources=[model.model_validate(data, scim_policy=POLICY) for data in items],
    )
    body: dict[str, Any] = response.model_dump(
        scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters, scim_policy=POLICY
    )
    return body


def discovery(kind: str, base_url: str) -> list[dict[str, Any]]:
    """The published ResourceTypes or Schemas, each with its meta (RFC 7644 section 4)."""
    items: Sequence[Resource[Any]] = PROVIDER.resource_types if kind == "ResourceType" else PROVIDER.schemas
    answered = []
    for item in items:
        data = item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        data["meta"] = {"resourceType": kind, "location": f"{base_url}/{kind}s/{item.id}"}
        answered.append(data)
    return answered


def config_data(base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = CONFIG.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {"resourceType": "ServiceProviderConfig", "location": f"{base_url}/ServiceProviderConfig"}
    return data
