"""The fixture corpus: one small broken app per failure mode statically catchable, and
clean Flask / FastAPI / Starlette / Django apps. Each app yields exactly its findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import APPS, Check

# app -> the (rule, file, line) it must yield, no more, no less
EXPECTED: dict[str, set[tuple[str, str, int]]] = {
    "clean_flask": set(),
    "clean_fastapi": set(),
    "clean_starlette": set(),
    "clean_django": set(),
    "f1_pydantic_core_wrong_python": {("PF101", "requirements.txt", 3)},
    "f1_vendored_darwin_so": {("PF102", "pydantic_core/_pydantic_core.cpython-312-darwin.so", 1)},
    "f2_missing_flask_cors": {("PF201", "app.py", 2)},
    "f2_dev_only_dependency": {("PF201", "app.py", 2)},
    "f2_stale_uv_lock": {("PF202", "pyproject.toml", 7)},
    "f3_pyproject_hides_requirements": {("PF301", "pyproject.toml", 1)},
    "f4_handler_equals_app": {("PF401", "api/index.py", 6)},
    "f4_app_in_factory": {("PF401", "app.py", 4)},
    "f5_users_json_next_to_code": {("PF501", "app.py", 14)},
    # an error: setup_logging() at main.py:7 reaches the mkdir of ./logs at every cold start
    "f5_logging_setup_creates_logs": {("PF501", "app/platform/logger.py", 9)},
    # uploads saved into the code folder by framework helpers: errors, every upload fails
    "f5_flask_upload_saved_to_folder": {("PF501", "app.py", 18)},
    "f5_fastapi_upload_copied_to_folder": {("PF501", "main.py", 10), ("PF1301", "main.py", 9)},
    "f5_uploads_to_tmp_or_storage": set(),
    "f5_django_media_root_in_project": {("PF504", "shop/models.py", 6)},
    "f5_collectstatic_at_import": {("PF501", "mysite/wsgi.py", 8)},
    "f6_sqlite_in_tmp": {("PF601", "app.py", 10)},
    "f7_module_state": {("PF701", "app.py", 7), ("PF702", "app.py", 13)},
    "f8_sqlite_in_bundle": {("PF801", "app.py", 9)},
    "f9_unbounded_wait": {("PF901", "app.py", 18)},
    "f10_bundle_over_limit_lambda": {("PF1001", "pyproject.toml", 1)},
    "f11_environ_at_import": {("PF1101", "main.py", 5)},
    "f13_upload_through_function": {("PF1301", "main.py", 7)},
    "f14_reads_public": {("PF1401", "api/index.py", 5), ("PF404", "api/index.py", 5)},
    "f15_dotenv_only_locally": {("PF1101", "app.py", 7), ("PF1801", ".env", 1)},
    "f16_python_version_ignored": {("PF1601", ".python-version", 1)},
    "f17_django_sqlite": {("PF1701", "mysite/settings.py", 10)},
    "f18_secrets_published": {("PF1801", "deploy/key.pem", 1)},
    "f19_unpinned_werkzeug": {("PF1901", "requirements.txt", 1)},
    "f20_dependencies_installed_at_cold_start": {("PF2001", "pyproject.toml", 1)},
    "f2_declared_sdist_only": set(),  # a pure-Python sdist: no note either
    "f2_guarded_local_module": set(),
    "f2_vcs_requirement": {("PF201", "app.py", 2)},  # a warning: its import names are unknown
    "f2_no_entrypoint_imports": {("PF401", ".", 1), ("PF201", "service/web.py", 2)},
    "f2_optional_import_declared": set(),
    "f2_import_from_extra_dependency": set(),  # bcrypt comes with passlib[bcrypt]
    "f3_requirements_utf16": {("PF303", "requirements.txt", 1)},
    "f3_requirements_bom": {("PF303", "requirements.txt", 1)},
    "f19_django_distutils": {("PF1901", "requirements.txt", 1)},
    "f19_flask1_jinja_escape": {("PF1901", "requirements.txt", 1)},  # one finding, not two
    "f16_requires_python_excludes_offered": {("PF1601", "pyproject.toml", 4)},
    "f10_bundle_over_tmp_vercel": {("PF1001", "pyproject.toml", 1)},
    "f5_namespace_package_file_handler": {("PF501", "app/core/db.py", 3)},
    "f5_session_type_without_flask_session": set(),
    "f13_upload_capped_below_limit": set(),
    "f13_upload_read_twice_one_finding": {("PF1301", "app.py", 10)},
    "f5_makedirs_shipped_directory": {("PF501", "app.py", 14)},  # uploads/ is not shipped
    "f5_writes_off_vercel_only": set(),
    "f2_sys_path_sibling_folder": {("PF404", "api/index.py", 9)},
    "f4_community_builder": {("PF405", "vercel.json", 4)},
    "f5_log_dir_from_path_helper": {("PF501", "app/platform/logs.py", 15)},
    "f5_logging_setup_off_by_default": set(),
    "f8_sqlite_shipped_read_only": {("PF801", "app.py", 13), ("PF1801", "prices.db", 1)},
    "f11_config_libraries_at_import": {("PF1101", "settings.py", 8), ("PF1101", "settings.py", 10)},
    "f2_prerelease_pin_spelling": set(),  # httpx comes with googletrans 4.0.0rc1
    "f10_sdist_only_requirements": {("PF1001", "requirements.txt", 1)},  # torch, via its sdist
    "f2_pip_from_builder": set(),  # the builder seeds pip into every bundle
    # requests arrives with huggingface-hub 0.36.2: installed, so silent (no "declare it")
    "f2_transitive_import_no_entrypoint": {("PF401", ".", 1)},
    # real projects no session tuned on (pftrust, /work/realprojects/LABELS.md)
    "f5_loguru_file_sink_at_import": {("PF501", "api/index.py", 13)},
    "f5_os_path_imported_by_name": {("PF501", "api/index.py", 18)},
    "f19_quart_with_flask_3_1": {("PF1901", "requirements.txt", 1)},
    # urllib3 1.25.11 comes with requests 2.24.0: the finding is on the line that pins requests
    "f19_urllib3_six_on_312": {("PF1901", "requirements.txt", 2)},
    # huogerac/flask-vercel: Flask 1.1.4 -> Jinja2 2.11.3 with MarkupSafe 3 (soft_unicode gone)
    "f19_jinja2_2_with_markupsafe_2_1": {("PF1901", "requirements.txt", 1)},
    # civictechdc/spicy-regs e1ac3ef: mcp>=1.10.0 installs 2.x, which has no mcp.server.fastmcp
    "f19_module_removed_by_major_release": {("PF1903", "index.py", 1)},
    # flask-cors (imported plainly) is an error, redis (imported under a guard) a warning
    "f1_c_sdist_built_with_gcc": {("PF101", "requirements.txt", 2)},  # a warning: gcc is there
    "f11_env_none_to_client_at_import": {("PF1101", "api/index.py", 13)},
    "f4_rewrite_with_legacy_builds": set(),  # builds: no preset, the path is kept
    "f19_passlib_pbkdf2_only": set(),  # bcrypt 5 is installed but never loaded
    "f19_passlib_bcrypt_scheme": {("PF1901", "requirements.txt", 2)},  # a warning
    "f4_rewrite_to_api_file_under_preset": {("PF403", "vercel.json", 3)},  # a warning
    "f4_catch_all_rewrite_to_api_shim": {("PF403", "vercel.json", 3)},  # an error
    # zhangtyzzz/uni-api: a legacy route to api/index.py while the app is main.py: an error
    "f4_route_to_api_file_not_the_app": {("PF403", "vercel.json", 6)},
    # nakafaai/nakafa.com apps/cas: the rewrite is in vercel.ts, which Vercel reads too
    "f4_rewrite_in_vercel_ts": {("PF403", "vercel.ts", 9)},
    # am-eric-kweyunga/sarufi-flask-vercel: /(.*) -> /api/index with no api/ file at all
    "f4_catch_all_rewrite_to_missing_function": {("PF403", "vercel.json", 2)},
    # civictechdc/spicy-regs before b912bbd: /mcp -> /api/index/mcp, no function answers there
    "f4_rewrite_below_function_path": {("PF403", "vercel.json", 4)},
    # civictechdc/spicy-regs b912bbd: the app maps /api/index back itself: warnings
    "f4_rewrite_to_app_that_maps_its_path": {
        ("PF403", "vercel.json", 3),
        ("PF403", "vercel.json", 4),
    },
    "f4_nextjs_with_python_api": set(),  # the nextjs preset: no Python catch-all, no PF403
    "f5_write_error_raised_again": {("PF501", "main.py", 17)},  # a warning: a helper's write
    "f2_relative_import_of_missing_module": {("PF204", "api/analyze/rescan.py", 3)},
    "f2_stale_lock_guarded_import": {
        ("PF202", "pyproject.toml", 7),
        ("PF202", "pyproject.toml", 8),
    },
    # JaesikYun-jax/flask-vercel 70b12fc: legacy builds name one file; another api/ file's
    # undeclared import never runs there (a warning), the try-bound app is PF401's error
    "f2_legacy_build_leaves_api_file_out": {
        ("PF201", "api/admin_tokens.py", 1),
        ("PF401", "vercel.json", 2),
    },
    # badboygamingph/flask-vercel-deployment: the manifest beside a broken legacy build counts
    "f3_manifest_beside_broken_legacy_build": {("PF401", "vercel.json", 2)},
    # amadaganzon09-bit/flask-vercel-deployment: backend/ is not on the function's sys.path
    "f2_import_from_entrypoint_folder": {("PF205", "backend/app.py", 5)},
    # Nitinsharwal/Erp_soft: nothing is built, and its committed venv is not the app
    "f4_builds_src_missing_committed_venv": {("PF401", "vercel.json", 4)},
}


def test_corpus_is_complete() -> None:
    assert {p.name for p in APPS.iterdir() if p.is_dir()} == set(EXPECTED)
    fids = {name.split("_")[0] for name in EXPECTED if name.startswith("f")}
    # every failure mode a static or dependency check can catch has a broken app
    catchable = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20)
    assert fids >= {f"f{n}" for n in catchable}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_app_yields_exactly_its_findings(app: str, check: Check) -> None:
    root = APPS / app
    result = check(root)
    got = {
        (f.rule_id, f.location.path.relative_to(root).as_posix(), f.location.line)
        for f in result.findings
    }
    assert got == EXPECTED[app], "\n".join(f"{f.rule_id} {f.message}" for f in result.findings)
    # a rule that raised would hide its findings and still leave `got` looking right
    assert result.crashes == []


def test_clean_apps_say_what_vercel_sees(check: Check) -> None:
    flask = check(APPS / "clean_flask").project
    assert flask.entrypoint is not None
    assert (flask.entrypoint.path.name, flask.entrypoint.name) == ("app.py", "app")
    assert flask.manifest is not None
    assert flask.manifest.kind == "requirements.txt"
    starlette = check(APPS / "clean_starlette")
    assert starlette.project.manifest is not None
    assert starlette.project.manifest.lock == APPS / "clean_starlette" / "uv.lock"
    django = check(APPS / "clean_django").project
    assert django.entrypoint is not None
    assert (django.entrypoint.path.name, django.entrypoint.name) == ("wsgi.py", "application")


def test_django_settings_are_in_the_closure(check: Check) -> None:
    result = check(APPS / "clean_django")
    assert result.files >= 4  # wsgi.py, settings.py, urls.py, polls/views.py


def test_seed_messages_say_why(check: Check) -> None:
    by_app = {app: check(APPS / app).findings for app in EXPECTED if app.startswith("f")}
    assert "flask_cors" in by_app["f2_missing_flask_cors"][0].message
    assert "handler = app" in by_app["f4_handler_equals_app"][0].message
    assert "users.json" in by_app["f5_users_json_next_to_code"][0].message
    assert "CPython 3.14" in by_app["f1_pydantic_core_wrong_python"][0].message
    assert "ignores requirements.txt" in by_app["f3_pyproject_hides_requirements"][0].message
    assert "dev group" in by_app["f2_dev_only_dependency"][0].message


def test_python_flag_changes_the_wheel_target(check: Check, tmp_path: Path) -> None:
    # the same pins resolve fine for 3.12: the problem is the runtime version only
    result = check(APPS / "f1_pydantic_core_wrong_python", python="3.12", only={"PF101"})
    assert result.findings == []


def test_a_missing_wheel_is_an_error_only_when_the_sdist_needs_rust(check: Check) -> None:
    (c_sdist,) = check(APPS / "f1_c_sdist_built_with_gcc", only={"PF101"}).findings
    (rust_sdist,) = check(APPS / "f1_pydantic_core_wrong_python", only={"PF101"}).findings
    assert (c_sdist.severity.value, rust_sdist.severity.value) == ("warning", "error")


def test_passlib_with_bcrypt_5_is_a_warning_for_the_bcrypt_scheme_only(check: Check) -> None:
    (finding,) = check(APPS / "f19_passlib_bcrypt_scheme", only={"PF1901"}).findings
    assert finding.severity.value == "warning"
    assert "at the first bcrypt hash" in finding.message
    assert check(APPS / "f19_passlib_pbkdf2_only", only={"PF1901"}).findings == []


def test_a_catch_all_rewrite_to_an_api_file_is_an_error_a_single_path_a_warning(
    check: Check,
) -> None:
    (every,) = check(APPS / "f4_catch_all_rewrite_to_api_shim", only={"PF403"}).findings
    (one,) = check(APPS / "f4_rewrite_to_api_file_under_preset", only={"PF403"}).findings
    assert (every.severity.value, one.severity.value) == ("error", "warning")


def test_a_rewrite_to_the_app_is_a_warning_when_the_app_maps_that_path_itself(
    check: Check,
) -> None:
    findings = check(APPS / "f4_rewrite_to_app_that_maps_its_path", only={"PF403"}).findings
    assert [f.severity.value for f in findings] == ["warning", "warning"]
    assert all("the app names that path itself (api/index.py:11)" in f.message for f in findings)


def test_a_stale_lock_is_an_error_only_for_what_the_app_imports_plainly(check: Check) -> None:
    findings = check(APPS / "f2_stale_lock_guarded_import", only={"PF202"}).findings
    levels = {f.location.line: f.severity.value for f in findings}
    assert levels == {7: "error", 8: "warning"}, [f.message for f in findings]


def test_a_write_reached_at_import_is_an_error_naming_the_calls(check: Check) -> None:
    (finding,) = check(APPS / "f5_logging_setup_creates_logs").findings
    assert finding.severity.value == "error"
    assert "through setup_logging() at app/main.py:7 -> _add_file_sink()" in finding.message


@pytest.mark.parametrize(
    "app",
    [
        "f5_flask_upload_saved_to_folder",
        "f5_fastapi_upload_copied_to_folder",
        "f5_django_media_root_in_project",
        "f5_collectstatic_at_import",
    ],
)
def test_uploads_into_the_code_folder_are_errors(app: str, check: Check) -> None:
    (finding,) = [f for f in check(APPS / app).findings if f.fid == "F5"]
    assert finding.severity.value == "error"


def test_an_api_file_no_legacy_build_names_is_no_function(check: Check) -> None:
    app = APPS / "f2_legacy_build_leaves_api_file_out"
    (finding,) = check(app, only={"PF201"}).findings
    assert finding.severity.value == "warning"
