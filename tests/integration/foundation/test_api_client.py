"""The OpenAPI document serves people who generate clients: openapi-python-client builds every operation from
it without a warning, and schema names are plain names (no module paths that change when code moves)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.serialization import encode_json

# The generator knows JSON, text and octet-stream bodies; a PNG is bytes to a client.
GENERATOR_CONFIG = {"content_type_overrides": {"image/png": "application/octet-stream"}, "post_hooks": []}
_METHODS = {"get", "put", "post", "delete", "patch"}


def served_document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def test_schema_names_are_plain_names(app: Litestar) -> None:
    names = served_document(app)["components"]["schemas"]
    leaking = [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)]
    assert not leaking, f"schema names leaking module paths or generics: {leaking}"


def test_a_python_client_generates_from_the_document_without_a_warning(app: Litestar, tmp_path: Path) -> None:
    document = served_document(app)
    (tmp_path / "openapi.json").write_bytes(encode_json(document))
    (tmp_path / "config.json").write_text(json.dumps(GENERATOR_CONFIG))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "openapi.json"),
            "--config",
            str(tmp_path / "config.json"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "client"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"warning|unable|cannot|could not", output, re.IGNORECASE), output

    operations = sum(1 for item in document["paths"].values() for method in item if method in _METHODS)
    generated = [path for path in (tmp_path / "client" / "api").rglob("*.py") if path.name != "__init__.py"]
    assert len(generated) == operations
    models = {path.stem for path in (tmp_path / "client" / "models").glob("*.py")}
    for name in ("network_rule", "points_rules", "rules_update", "rules_version", "item_read", "feed_entry"):
        assert name in models
