"""The API docs page, offline: Swagger UI's assets come from the `swagger-ui-py` package (its static folder
only) and are served from our own origin, and a first-party script starts them (no inline script, no CDN)."""

from __future__ import annotations

from html import escape
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

ASSETS_PATH = "/api/docs/assets"


def _swagger_dir() -> Path:
    """swagger-ui-py's static folder, found without importing the package (its framework glue)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: pip install swagger-ui-py")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


SWAGGER_DIR = _swagger_dir()


class OfflineSwaggerPlugin(SwaggerRenderPlugin):
    """Swagger UI from our own origin; the page holds no inline script, so it passes our CSP."""

    def __init__(self, *, path: str = "/", docs_path: str = "/api/docs") -> None:
        super().__init__(
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            path=path,
            favicon="",
            style="",
        )
        self.docs_path = docs_path

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>"
            f'<link rel="stylesheet" href="{self.css_url}">'
            '<link rel="stylesheet" href="/static/api-docs.css">'
            f'<script src="{self.js_url}" defer></script>'
            f'<script src="{self.standalone_preset_js_url}" defer></script>'
            '<script src="/static/js/api-docs.js" defer></script>'
            "</head><body><main>"
            f'<h1 class="visually-hidden">{title}</h1>'
            f'<div id="swagger-ui" data-spec-url="{self.docs_path}/openapi.json"></div>'
            "<noscript><p>The interactive documentation needs JavaScript; the description itself is at "
            f'<a href="{self.docs_path}/openapi.json">{self.docs_path}/openapi.json</a>.</p></noscript>'
            "</main></body></html>"
        ).encode()

    def receive_router(self, router: Router) -> None:
        """No OAuth2 redirect page: the API signs in with tokens and sessions, and that page is inline script."""


def swagger_assets_router() -> ControllerRouterHandler:
    return create_static_files_router(path=ASSETS_PATH, directories=[SWAGGER_DIR], guards=[], opt={})
