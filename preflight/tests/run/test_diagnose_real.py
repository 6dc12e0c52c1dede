"""Diagnoses of the words real projects' builds and crashes printed under `preflight run`,
and the routing of their build outputs (evidence abridged from /work/realprojects-run/_runs;
projects named per case). Each case was misread before: a wrong F-id, a fix that cannot
help, this machine's failure reported as the app's, or a path routed where Vercel does not."""

from __future__ import annotations

from preflight.emulate.build_diagnosis import diagnose_build
from preflight.emulate.diagnose import diagnose
from preflight.emulate.probes import Outcome, Probe, routing_note
from preflight.emulate.routes import Router

_RUNTIME = (
    'could not import "index.py":\nTraceback (most recent call last):\n'
    '  File "/var/task/_vendor/vercel_runtime/vc_init.py", line 622, in <module>\n'
    '  File "/var/task/_vendor/vercel_runtime/resolver.py", line 24, in import_module\n'
    '  File "<frozen importlib._bootstrap>", line 488, in _call_with_frames_removed\n'
)


def test_a_vendored_package_importing_distutils_is_f19_not_f2() -> None:
    # jayhale/vercel-django-example (00a67e3): Django==3.2 on the 3.12 Vercel runs
    text = (
        _RUNTIME + '  File "/var/task/app.py", line 1, in <module>\n'
        '  File "/var/task/_vendor/django/utils/version.py", line 6, in <module>\n'
        "    from distutils.version import LooseVersion\n"
        "ModuleNotFoundError: No module named 'distutils'"
    )
    found = diagnose(text)
    assert found is not None
    assert found.fid == "F19"
    assert "'django' imports distutils, which CPython 3.12 removed" in found.cause
    assert found.location == "app.py:1"


def test_the_django_settings_read_of_the_build_names_the_removed_module() -> None:
    # the same project fails in the build, where the Django preset reads its settings
    log = (
        "Error: [DJANGO_SETTINGS_FAILED] Failed to read Django application settings from "
        "/tmp/w/src/manage.py:\nTraceback (most recent call last):\n"
        '  File "<string>", line 9, in <module>\n'
        '  File "/tmp/w/src/.vercel/python/.venv/lib/python3.12/site-packages/django/'
        'utils/version.py", line 6, in <module>\n'
        "ModuleNotFoundError: No module named 'distutils'"
    )
    verdict = diagnose_build("[DJANGO_SETTINGS_FAILED] Failed to read", log)
    assert verdict.machine is None
    assert verdict.diagnosis is not None
    assert verdict.diagnosis.fid == "F19"
    assert "'django' imports distutils" in verdict.diagnosis.cause


def test_a_third_party_name_missing_in_the_users_code_is_still_f2() -> None:
    # the local-module row must not swallow the ordinary undeclared import
    text = _RUNTIME + (
        '  File "/var/task/api/index.py", line 2, in <module>\n'
        "ModuleNotFoundError: No module named 'flask_cors'"
    )
    found = diagnose(text)
    assert found is not None
    assert found.fid == "F2"


def test_a_python_pin_below_the_runtimes_is_f16() -> None:
    # 0xMichaelRan/python-fastapi-get-started (30b3203): .python-version 3.11
    log = (
        "Using Python 3.11.2 environment at: .vercel/python/.venv\n"
        "error: No solution found when resolving dependencies\n"
        "  cause: Because the current Python version (3.11.2) does not satisfy Python>=3.12 "
        "and vercel-runtime==0.23.2 depends on Python>=3.12, we can conclude that "
        "vercel-runtime==0.23.2 cannot be used."
    )
    verdict = diagnose_build('[BUILD_FAILED] Failed to run "uv pip install"', log)
    assert verdict.diagnosis is not None
    assert verdict.diagnosis.fid == "F16"
    assert "Python 3.11.2" in verdict.diagnosis.cause
    assert ">= 3.12" in verdict.diagnosis.cause


def test_a_dependency_host_this_machine_cannot_resolve_is_this_machines_failure() -> None:
    # 0xOddrey/sim-api (02337ce): a requirement by URL on github.com; Vercel's build reaches it
    log = (
        "error: Failed to download `en-core-web-sm @ https://github.com/explosion/"
        "spacy-models/releases/download/en_core_web_sm-3.7.1/en_core_web_sm-3.7.1-py3-none-"
        "any.whl`\n  cause: Request failed after 3 retries in 6.6s\n"
        "  cause: client error (Connect)\n  cause: dns error\n  cause: error resolving DNS\n"
        "  cause: failed to lookup address information: Name or service not known"
    )
    verdict = diagnose_build('[BUILD_FAILED] Failed to run "uv lock"', log)
    assert verdict.machine is not None
    assert "dns error" in verdict.machine


def _outcome(probe: Probe) -> Outcome:
    return Outcome(probe=probe, mode="cold", status=404, excerpt="", elapsed_ms=1.0, ok=True)


def test_routing_note_names_the_path_the_app_saw() -> None:
    # 0Kal-D/flask-test (baeb07f): rewrite /(.*) -> /api/index under the flask preset
    router = Router(
        [
            {"handle": "filesystem"},
            {"src": "^(?:/(.*))$", "dest": "/api/index", "check": True},
            {"handle": "rewrite"},
            {
                "src": "/(.*)",
                "dest": "/flask",
                "transforms": [{"type": "request.path", "op": "set", "args": "/$1"}],
            },
        ],
        None,
        "/flask",
    )
    probe = Probe("GET", "/")
    note = routing_note(router, probe, _outcome(probe)).note
    assert note is not None
    assert note.startswith("the app saw /api/index, not /")


def test_routing_note_stays_silent_when_the_app_saw_the_path_asked() -> None:
    router = Router([{"handle": "filesystem"}, {"src": "/(.*)", "dest": "/index"}], None, "/index")
    probe = Probe("GET", "/missing")
    assert routing_note(router, probe, _outcome(probe)).note is None


def test_an_old_pin_without_a_wheel_for_the_runtime_is_f19() -> None:
    # j-bernardi/lungdon-underground (ba8e3e2): pandas==2.0.3 has no cp312 wheel
    log = (
        "   Building pandas==2.0.3\nerror: Failed to build `pandas==2.0.3`\n"
        "  cause: The build backend returned an error\n"
        "ModuleNotFoundError: No module named 'pkg_resources'\n"
    )
    verdict = diagnose_build('[BUILD_FAILED] Failed to run "uv sync"', log)
    assert verdict.diagnosis is not None
    assert verdict.diagnosis.fid == "F19"
    assert verdict.diagnosis.cause.startswith("pandas 2.0.3 ships no wheel")


def test_an_index_function_answers_at_its_folder() -> None:
    # vercel/examples python/hello-world (0c0a5d0): api/index.py, `/` redirects to /api;
    # the filesystem phase found nothing at /api and the edge answered 404
    router = Router(
        [{"handle": "filesystem"}, {"src": "^/api(/.*)?$", "status": 404}],
        None,
        "/api/index",
    )
    for path in ("/api", "/api/", "/api/index"):
        target = router.resolve("GET", path)
        assert (target.kind, target.path) == ("function", path)
    assert router.resolve("GET", "/api/other").kind == "not_found"
    root = Router([{"handle": "filesystem"}], None, "/index")
    assert root.resolve("GET", "/").kind == "function"


def test_a_named_probe_no_route_reaches_fails_but_the_default_guess_does_not() -> None:
    # AlbertBogdan/telegrambot (f390e1a): routes to /api/webhook.py under the flask preset,
    # whose only function is /flask: the edge answers NOT_FOUND and the app never runs
    router = Router(
        [{"src": "/api/webhook", "dest": "/api/webhook.py"}, {"handle": "filesystem"}],
        None,
        "/flask",
    )
    probe = Probe("POST", "/api/webhook")
    named = routing_note(router, probe, _outcome(probe))
    assert not named.ok
    assert named.note is not None
    assert "edge answered itself" in named.note
    asked = Probe("POST", "/api/webhook", 404)
    assert routing_note(router, asked, _outcome(asked)).ok
    guess = Probe("GET", "/", guessed=True)  # an api-only project rightly has no `/`
    assert routing_note(router, guess, _outcome(guess)).ok
