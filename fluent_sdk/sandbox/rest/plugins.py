"""Plugin (rules) API under ``/orchestration/rest/v1/plugin``.

``upload`` takes a multipart ``file`` that must be a JAR (zip); the bundle name is read from
``META-INF/MANIFEST.MF`` (``Bundle-SymbolicName``, ``Bundle-Version``), its rules are the classes
in it whose simple name ends in ``Rule``. ``install`` activates a bundle and lists its rules as
``<ACCOUNT>.<namespace>.<Rule>``; ``GET …/{bundle}/status`` reports it. Errors use the plugin
service shape ``{"message", "status"}``.
"""

from __future__ import annotations

import io
import re
import zipfile
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.messages import SandboxResponse, json_response, plugin_error
from fluent_sdk.sandbox.store import Record

if TYPE_CHECKING:
    from fluent_sdk.sandbox.routes import RequestContext

__all__ = ["install", "list_rules", "rule_info", "status", "upload"]


def rule_info(name: str, description: str, accepts: list[dict[str, Any]] | None = None) -> Record:
    """A rule entry in the shape the plugin listing returns."""
    simple = name.rsplit(".", 1)[-1]
    return {
        "name": name,
        "description": description,
        "eventAttributes": [],
        "ruleInfo": {
            "name": simple,
            "description": description,
            "accepts": accepts or [],
            "produces": [],
            "ruleException": [],
        },
        "parameters": [],
    }


def list_rules(ctx: RequestContext) -> SandboxResponse:
    with ctx.app.store.lock:
        return json_response(200, dict(ctx.app.store.plugin_rules))


def _uploaded_file(ctx: RequestContext) -> tuple[str, bytes] | None:
    content_type = ctx.request.header("content-type") or ""
    if "multipart/form-data" not in content_type:
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + ctx.request.body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            filename = part.get_filename() or "tmpfile"
            return filename, payload if isinstance(payload, bytes) else b""
    return None


def _manifest(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        text = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except KeyError:
        return {}
    # Manifest continuation lines start with one space.
    text = re.sub(r"\r?\n ", "", text)
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def upload(ctx: RequestContext) -> SandboxResponse:
    uploaded = _uploaded_file(ctx)
    if uploaded is None:
        return plugin_error(400, "Expected multipart/form-data with a 'file' part")
    filename, content = uploaded
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return plugin_error(400, '"tmpfile" is not a valid JAR file')
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = _manifest(archive)
        classes = [n for n in archive.namelist() if n.endswith("Rule.class") and "$" not in n]
    stem = filename.rsplit("/", 1)[-1].removesuffix(".jar")
    symbolic = manifest.get("Bundle-SymbolicName", stem).split(";", 1)[0]
    version = manifest.get("Bundle-Version", "1.0.0")
    bundle_name = f"{symbolic}::{version}"
    rules = sorted({n.rsplit("/", 1)[-1].removesuffix(".class") for n in classes})
    with ctx.app.store.lock:
        ctx.app.store.plugin_bundles[bundle_name] = {
            "bundleName": bundle_name,
            "bundleVersion": version,
            "bundleStatus": "UPLOADED",
            "rules": rules,
        }
    return json_response(
        200, {"bundleName": bundle_name, "bundleVersion": version, "bundleStatus": "UPLOADED"}
    )


def install(ctx: RequestContext) -> SandboxResponse:
    try:
        body = ctx.request.json()
    except ValueError:
        return plugin_error(400, "Request body is not valid JSON")
    if not isinstance(body, dict) or not body.get("bundleName"):
        return plugin_error(400, "'bundleName' is required")
    store = ctx.app.store
    with store.lock:
        bundle = store.plugin_bundles.get(str(body["bundleName"]))
        if bundle is None:
            return plugin_error(404, f"Bundle '{body['bundleName']}' not found")
        bundle["bundleStatus"] = "ACTIVE"
        symbolic = bundle["bundleName"].split("::", 1)[0]
        account, _, namespace = symbolic.partition(".")
        account = str(body.get("accountId") or account or store.account_id)
        for rule in bundle["rules"]:
            name = f"{account}.{namespace or 'custom'}.{rule}"
            store.plugin_rules[name] = rule_info(
                name, f"Rule {rule} from bundle {bundle['bundleName']}"
            )
        return json_response(200, {k: v for k, v in bundle.items() if k != "rules"})


def status(ctx: RequestContext) -> SandboxResponse:
    with ctx.app.store.lock:
        bundle = ctx.app.store.plugin_bundles.get(ctx.params["bundle"])
        if bundle is None:
            return plugin_error(404, f"Bundle '{ctx.params['bundle']}' not found")
        return json_response(200, {k: v for k, v in bundle.items() if k != "rules"})
