"""SAML 2.0 sign-in against a pysaml2 identity provider on loopback: through our redirect to its sign-in
page and back through its auto-posting form, as a browser goes; and every answer we must refuse."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from defusedxml import ElementTree
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.db.pool import Database
from advocacy.identity.saml.keys import write_pair
from advocacy.identity.saml.provider import ServiceProvider, xmlsec_binary
from advocacy.identity.sso.schemas import GroupRole, SsoSettingsUpdate
from advocacy.identity.sso.service import update_sso_settings
from advocacy.people.service import deactivate
from advocacy.settings import Settings
from tests.eventually import eventually
from tests.factories import Factory
from tests.integration.identity.saml_idp import LoopbackIdp, posted_form, running_idp

pytestmark = pytest.mark.skipif(
    xmlsec_binary() is None, reason="SAML tests need Debian's xmlsec1 (apt-get install xmlsec1)"
)

BASE = "http://testserver.local"
ENTRA = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


class Saml:
    def __init__(self, idp: LoopbackIdp, app: Litestar, settings: Settings) -> None:
        self.idp, self.app, self.settings = idp, app, settings


@pytest.fixture(scope="module")
def saml(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Saml]:
    folder = tmp_path_factory.mktemp("saml")
    with running_idp(folder) as idp:
        (folder / "idp.xml").write_text(idp.metadata)
        key_file, cert_file = write_pair(folder / "sp", "test-sp")
        saml_settings = settings.replace(
            public_base_url=BASE,
            saml_idp_metadata=str(folder / "idp.xml"),
            saml_sp_key_file=str(key_file),
            saml_sp_cert_file=str(cert_file),
            saml_idp_name="Test IdP",
        )
        idp.trust(ServiceProvider(saml_settings, idp.metadata).metadata())
        yield Saml(idp, create_app(saml_settings), saml_settings)


@pytest.fixture
async def web(saml: Saml, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    saml.idp.answer = None
    async with AsyncTestClient(app=saml.app) as client:
        yield client


async def through_idp(
    client: AsyncTestClient[Litestar], *, next_path: str = "/"
) -> tuple[str, dict[str, str]]:
    """Our redirect to the provider, its sign-in page: the form its page would post back to us."""
    start = await client.get("/saml/login", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303
    async with httpx.AsyncClient() as browser:
        page = await browser.get(start.headers["location"])
    assert page.status_code == 200, page.text
    action, fields = posted_form(page.text)
    assert action == f"{BASE}/saml/acs"
    return urlsplit(action).path, fields


async def sign_in(
    saml: Saml, client: AsyncTestClient[Litestar], subject: str, **attributes: Any
) -> httpx.Response:
    saml.idp.user = (subject, {k: v if isinstance(v, list) else [v] for k, v in attributes.items()})
    action, fields = await through_idp(client, next_path="/me-page")
    return await client.post(action, data=fields, follow_redirects=False)


def refused_because(caplog: pytest.LogCaptureFixture, response: httpx.Response, reason: str) -> None:
    assert response.status_code == 403, response.text
    assert "advocacy_session" not in response.cookies
    reasons = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SAML sign-in refused")]
    assert reasons == [f"SAML sign-in refused: {reason}"], reasons


async def test_metadata_gives_the_provider_our_entity_id_acs_url_and_certificate(
    web: AsyncTestClient[Litestar],
) -> None:
    response = await web.get("/saml/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/samlmetadata+xml")
    root = ElementTree.fromstring(response.content)
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    assert root.get("entityID") == f"{BASE}/saml/metadata"
    sp = root.find(f"{md}SPSSODescriptor")
    assert sp is not None and sp.get("AuthnRequestsSigned") == "true"
    acs = sp.find(f"{md}AssertionConsumerService")
    assert acs is not None and acs.get("Location") == f"{BASE}/saml/acs"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert sp.find(f"{md}KeyDescriptor") is not None
    slo = sp.find(f"{md}SingleLogoutService")
    assert slo is not None and slo.get("Location") == f"{BASE}/saml/slo"


async def test_our_authn_request_is_signed_and_the_provider_refuses_it_altered(
    saml: Saml, web: AsyncTestClient[Litestar]
) -> None:
    start = await web.get("/saml/login", follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"]
    forged = start.headers["location"].replace("Signature=", "Signature=AAAA")
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(forged)).status_code == 400


async def test_a_known_person_signs_in_and_lands_where_they_were_going(
    saml: Saml, web: AsyncTestClient[Litestar], factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com", team="Sales")
    response = await sign_in(
        saml, web, "okta-ana", email="ana@example.com", department="Marketing", city="Lyon", locale="en_GB"
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me-page"
    me = await web.get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()["person"]
    assert body["id"] == str(ana.person.id)
    assert (body["team"], body["location"], body["language"]) == ("Marketing", "Lyon", "en")


async def test_an_answer_signed_at_the_response_level_only_is_accepted(
    saml: Saml, web: AsyncTestClient[Litestar], factory: Factory
) -> None:
    await factory.person(email="ana@example.com")
    saml.idp.answer = "response-signed"
    response = await sign_in(saml, web, "okta-ana", email="ana@example.com")
    assert response.status_code == 303, response.text


async def test_entra_id_attribute_names_and_groups_map_to_a_new_person_and_roles(
    saml: Saml, web: AsyncTestClient[Litestar], db: Database, factory: Factory
) -> None:
    admin = await factory.person("admin")
    await update_sso_settings(
        db,
        SsoSettingsUpdate(jit_creation=True, group_roles=[GroupRole(group="grp-comms", role="curator")]),
        actor_id=admin.person_id,
    )
    response = await sign_in(
        saml,
        web,
        "entra-oid-1",
        **{
            ENTRA + "emailaddress": "noe@example.com",
            ENTRA + "name": "Noé Martin",
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["grp-comms", "grp-other"],
        },
    )
    assert response.status_code == 303, response.text
    me = (await web.get("/api/v1/me")).json()["person"]
    assert (me["email"], me["display_name"]) == ("noe@example.com", "Noé Martin")
    assert "curator" in me["roles"]


async def test_an_unsigned_assertion_is_refused(
    saml: Saml, web: AsyncTestClient[Litestar], factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    await factory.person(email="ana@example.com")
    saml.idp.answer = "unsigned"
    with caplog.at_level(logging.INFO):
        refused_because(caplog, await sign_in(saml, web, "okta-ana", email="ana@example.com"), "unsigned")
    assert (await web.get("/api/v1/me")).status_code == 401


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("tampered", "bad-signature"),
        ("forged", "bad-signature"),
        ("wrong-audience", "audience"),
        ("wrong-recipient", "recipient"),
        ("expired", "expired"),
        ("unknown-request", "unknown-request"),
    ],
)
async def test_a_spoiled_answer_is_refused(
    saml: Saml,
    web: AsyncTestClient[Litestar],
    factory: Factory,
    caplog: pytest.LogCaptureFixture,
    answer: Any,
    reason: str,
) -> None:
    await factory.person(email="ana@example.com")
    saml.idp.answer = answer
    with caplog.at_level(logging.INFO):
        refused_because(caplog, await sign_in(saml, web, "okta-ana", email="ana@example.com"), reason)


async def test_the_same_answer_posted_again_is_refused(
    saml: Saml, web: AsyncTestClient[Litestar], factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    await factory.person(email="ana@example.com")
    saml.idp.user = ("okta-ana", {"email": ["ana@example.com"]})
    action, fields = await through_idp(web)
    assert (await web.post(action, data=fields, follow_redirects=False)).status_code == 303
    web.cookies.clear()
    with caplog.at_level(logging.INFO):
        refused_because(caplog, await web.post(action, data=fields, follow_redirects=False), "replayed")


async def test_a_deactivated_person_is_refused(
    saml: Saml, web: AsyncTestClient[Litestar], db: Database, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com")
    async with db.transaction() as conn:
        await deactivate(conn, ana.person_id, actor_id=None)
    response = await sign_in(saml, web, "okta-ana", email="ana@example.com")
    assert response.status_code == 403
    assert "advocacy_session" not in response.cookies


async def test_the_providers_signed_logout_ends_the_session_it_opened(
    saml: Saml, web: AsyncTestClient[Litestar], factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    await factory.person(email="ana@example.com")
    assert (await sign_in(saml, web, "okta-ana", email="ana@example.com")).status_code == 303
    session = web.cookies["advocacy_session"]
    slo = f"{BASE}/saml/slo"
    with caplog.at_level(logging.INFO):
        unsigned = await web.get(saml.idp.logout_url(saml.settings.saml_sp_entity_id, slo, signed=False))
    assert unsigned.status_code == 403
    assert any(r.getMessage() == "SAML logout refused: unsigned" for r in caplog.records)
    assert (await web.get("/api/v1/me")).status_code == 200

    logout = await web.get(saml.idp.logout_url(saml.settings.saml_sp_entity_id, slo), follow_redirects=False)
    assert logout.status_code == 303
    answer = urlsplit(logout.headers["location"])
    assert f"{answer.scheme}://{answer.netloc}{answer.path}" == f"{saml.idp.base_url}/slo"
    assert saml.idp.logout_answer_ok(answer.query)

    web.cookies["advocacy_session"] = session  # as a browser the logout did not pass through would keep it

    async def ended() -> bool:
        return (await web.get("/api/v1/me")).status_code == 401

    await eventually(ended, "the session ended by the provider's logout")


async def test_the_sign_in_page_offers_the_provider(web: AsyncTestClient[Litestar]) -> None:
    page = await web.get("/login?next=/feed", headers={"Accept-Language": "en"})
    assert 'href="/saml/login?next=/feed"' in page.text
    assert "Sign in with Test IdP" in page.text


async def test_saml_pages_answer_404_while_saml_is_off(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/saml/metadata")).status_code == 404
    assert (await client.get("/saml/login", follow_redirects=False)).status_code == 404
    assert "/saml/login" not in (await client.get("/login")).text
