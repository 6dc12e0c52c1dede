"""The configuration Vercel reads from vercel.toml and vercel.ts, not only vercel.json."""

from __future__ import annotations

from pathlib import Path

from preflight.vercel_config import read_vercel_config, vercel_config_file

from .conftest import MakeProject


def test_a_literal_vercel_ts_is_read(make_project: MakeProject) -> None:
    root = make_project(
        {
            "vercel.ts": "// routes\nexport const config: VercelConfig = {\n"
            "  framework: 'flask', rewrites: [{ source: \"/(.*)\", destination: '/api' },],\n};\n"
        }
    )
    assert read_vercel_config(root) == {
        "framework": "flask",
        "rewrites": [{"source": "/(.*)", "destination": "/api"}],
    }


def test_a_computed_vercel_ts_is_unknown_not_guessed(make_project: MakeProject) -> None:
    root = make_project(
        {"vercel.ts": "export const config = { rewrites: [routes.rewrite('/(.*)', '/api')] };\n"}
    )
    assert vercel_config_file(root) == root / "vercel.ts"
    assert read_vercel_config(root) is None


def test_vercel_toml_is_read_and_vercel_json_comes_first(make_project: MakeProject) -> None:
    root = make_project({"vercel.toml": 'framework = "django"\n'})
    assert read_vercel_config(root) == {"framework": "django"}
    (root / "vercel.json").write_text('{"framework": null}', encoding="utf-8")
    assert read_vercel_config(root) == {"framework": None}
    assert vercel_config_file(root) == Path(root / "vercel.json")
