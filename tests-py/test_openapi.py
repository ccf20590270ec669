"""Static checks of docs/openapi.yaml against itself and against the Swift sources.

- the document is a valid OpenAPI 3.1 description (openapi-spec-validator);
- every route NodeRoutes.swift registers (`router.add(.method, "pattern", ...)`) is documented, and
  every documented operation is one the node serves (OPTIONS = the CORS preflight, answered before
  routing);
- the hooks documented under /v1/hooks/ are exactly the ones HookHandler.swift knows;
- the problem `type` URIs the document lists are exactly the slugs the gateway's sources produce.

Run: python3 -m pytest -q tests-py   (needs openapi-spec-validator and PyYAML; scripts/api-checks
installs them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "docs" / "openapi.yaml"
NODE_SWIFT = ROOT / "Sources" / "Gateway" / "Server" / "NodeRoutes.swift"
HOOK_SWIFT = ROOT / "Sources" / "Gateway" / "Room" / "HookHandler.swift"
GATEWAY_SOURCES = ROOT / "Sources" / "Gateway"
PROBLEM_BASE = "https://webinars-gateway.dev/problems/"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ROUTE_RE = re.compile(r'router\.add\(\s*\.(\w+)\s*,\s*"([^"]+)"')


@pytest.fixture(scope="module")
def spec() -> dict:
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def registered_routes() -> list[tuple[str, str]]:
    """(method, pattern) for every `router.add(` line of NodeRoutes.swift."""
    text = NODE_SWIFT.read_text(encoding="utf-8")
    routes = [(m.lower(), p) for m, p in ROUTE_RE.findall(text)]
    assert routes, f"no router.add( lines found in {NODE_SWIFT}"
    return routes


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """`/v1/hooks/{hook}` -> a regex matching both that template and its concrete instances."""
    out = []
    for part in re.split(r"(\{[^}/]+\})", pattern):
        out.append(r"[^/]+" if part.startswith("{") and part.endswith("}") else re.escape(part))
    return re.compile("^" + "".join(out) + "$")


def documented_operations(spec: dict) -> set[tuple[str, str]]:
    return {(m, path) for path, item in spec["paths"].items() for m in item if m in HTTP_METHODS}


def test_document_is_valid_openapi_31(spec: dict) -> None:
    assert str(spec.get("openapi", "")).startswith("3.1"), "docs/openapi.yaml must be OpenAPI 3.1"
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_every_registered_route_is_documented(spec: dict) -> None:
    documented = documented_operations(spec)
    missing = []
    for method, pattern in registered_routes():
        rx = pattern_regex(pattern)
        if not any(m == method and rx.match(path) for m, path in documented):
            missing.append(f"{method.upper()} {pattern}")
    assert not missing, f"routes registered in NodeRoutes.swift but not in docs/openapi.yaml: {missing}"


def test_every_documented_operation_is_served(spec: dict) -> None:
    routes = [(m, pattern_regex(p)) for m, p in registered_routes()]
    extra = []
    for method, path in sorted(documented_operations(spec)):
        if method == "options":
            # CORS preflight, answered before routing; it must sit on a path the node routes.
            ok = any(rx.match(path) for _, rx in routes)
        elif method == "head":
            ok = any(m == "get" and rx.match(path) for m, rx in routes)
        else:
            ok = any(m == method and rx.match(path) for m, rx in routes)
        if not ok:
            extra.append(f"{method.upper()} {path}")
    assert not extra, f"operations in docs/openapi.yaml the node does not serve (not implemented?): {extra}"


def implemented_hooks() -> set[str]:
    """Hook names the node answers: the room hooks HookHandler.swift checks for, plus the names of
    any `static let names` set it dispatches to (CoreHooks)."""
    text = HOOK_SWIFT.read_text(encoding="utf-8")
    guard = re.search(r"guard\s+hook\s*==(.*?)else", text, re.S)
    assert guard, "the hook-name guard in HookHandler.swift was not found"
    hooks = set(re.findall(r'"([a-z_]+)"', guard.group(1)))
    for enum in re.findall(r"\b(\w+)\.names\.contains\(hook\)", text):
        for swift in GATEWAY_SOURCES.rglob("*.swift"):
            body = swift.read_text(encoding="utf-8")
            if re.search(rf"\benum\s+{enum}\b", body):
                names = re.search(r"static\s+let\s+names[^=]*=\s*\[([^\]]*)\]", body)
                assert names, f"{enum}.names not found in {swift}"
                hooks |= set(re.findall(r'"([a-z_]+)"', names.group(1)))
    return hooks


def test_documented_hooks_are_the_implemented_ones(spec: dict) -> None:
    implemented = implemented_hooks()
    documented = {p.rsplit("/", 1)[1] for p in spec["paths"] if p.startswith("/v1/hooks/")}
    assert documented == implemented


def test_problem_types_match_the_sources(spec: dict) -> None:
    slugs = set()
    for swift in GATEWAY_SOURCES.rglob("*.swift"):
        slugs |= set(re.findall(r'slug:\s*"([a-z0-9-]+)"', swift.read_text(encoding="utf-8")))
    assert slugs, "no problem slugs found in Sources/Gateway"
    schemas = spec["components"]["schemas"]
    listed = set()
    for ref in schemas["ProblemType"]["anyOf"]:
        name = ref["$ref"].rsplit("/", 1)[1]
        uri = schemas[name]["const"]
        assert uri.startswith(PROBLEM_BASE), uri
        listed.add(uri[len(PROBLEM_BASE):])
    assert listed == slugs, f"only in sources: {sorted(slugs - listed)}; only in the document: {sorted(listed - slugs)}"


def test_error_responses_are_problem_json(spec: dict) -> None:
    responses = spec["components"]["responses"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, resp in op["responses"].items():
                if not str(status).startswith(("4", "5")):
                    continue
                assert "$ref" in resp, f"{method.upper()} {path} {status}: use a components/responses entry"
                body = responses[resp["$ref"].rsplit("/", 1)[1]]
                assert list(body.get("content", {})) == ["application/problem+json"], f"{method.upper()} {path} {status}"


def test_401_carries_www_authenticate_and_405_allow(spec: dict) -> None:
    responses = spec["components"]["responses"]
    assert "WWW-Authenticate" in responses["Unauthorized"]["headers"]
    assert "Allow" in responses["MethodNotAllowed"]["headers"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS and op.get("security", spec.get("security")):
                assert "401" in op["responses"], f"{method.upper()} {path} needs auth but documents no 401"
