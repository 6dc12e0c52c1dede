"""`preflight run`: build with Vercel's builder, run under vercel-runtime in a Lambda-like
sandbox, send probes cold, warm and concurrently, and diagnose what fails.

Exit codes: 0 every probe met its expectation; 1 a probe failed or the build rejected
the app; 2 usage or environment error (one line on stderr).
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import re
import sys
from pathlib import Path
from typing import Any

from preflight.commands.options import enum_type, metavar
from preflight.deploy_roots import deploy_roots
from preflight.emulate.build_diagnosis import diagnose_build
from preflight.emulate.edge import run_edge
from preflight.emulate.errors import EmulatorError
from preflight.emulate.function import BuildFailed
from preflight.emulate.journey import JourneyError, load_journey, run_journey
from preflight.emulate.probes import CONCURRENCY, Probe, ProbeSyntaxError, parse_probe, run_all
from preflight.emulate.render import to_json, to_text
from preflight.emulate.result import RunResult
from preflight.emulate.session import Builder, Emulation, prepare
from preflight.errors import UsageError
from preflight.files import shown_path

DEFAULT_PROBE = "GET /"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="build with Vercel's builder and probe the function under Vercel's runtime",
        description=(
            "Build PATH with Vercel's own builder (falling back to preflight's), run it "
            "under vercel-runtime in a Lambda-like sandbox and send each probe cold, warm "
            "and concurrently. Exit 0 only when every probe meets its expectation."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument(
        "--probe",
        action="append",
        default=[],
        metavar="'METHOD /path [STATUS] [BODY]'",
        help=f"request to send; repeatable (default: {DEFAULT_PROBE!r}); without STATUS, any "
        "status below 500 from the app (not the edge's NOT_FOUND); "
        "{unique} in the path or body is fresh on every send",
    )
    parser.add_argument(
        "--journey",
        type=Path,
        metavar="FILE",
        help="TOML file of steps sent in order to one instance, carrying captured values "
        "(a token) from step to step",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment variable for the function (and the build); repeatable",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="FILE",
        help="dotenv file of variables to pass (a project's .env is never read otherwise)",
    )
    parser.add_argument(
        "--python",
        metavar="X.Y",
        help="CPython version to build for and run (default: the project's)",
    )
    parser.add_argument(
        "--forward-port",
        action="append",
        type=int,
        default=[],
        metavar="N",
        help="host loopback TCP port the function may reach (a local database); repeatable",
    )
    parser.add_argument(
        "--builder",
        type=enum_type(Builder),
        default=Builder.AUTO,
        metavar=metavar(Builder),
        help="auto (default): Vercel's CLI when Node/npm are available, else preflight's",
    )
    parser.add_argument("--memory", type=int, default=2048, metavar="MB", help="memory limit")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, metavar="N", help="requests at once"
    )
    parser.add_argument(
        "-f",
        "--format",
        type=enum_type(RunFormat),
        metavar=metavar(RunFormat),
        default=RunFormat.TEXT.value,
        help="output format (default: text), as `check -f`",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the result to FILE")
    parser.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const=RunFormat.JSON,
        help="alias of --format json",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="instead of probing, serve the app on 127.0.0.1 behind an emulated Vercel edge "
        "(static files as the CDN serves them, the rest through the runtime) until Ctrl-C",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        metavar="N",
        help="with --serve: the port to listen on (default: a free one; the URL is printed)",
    )
    parser.set_defaults(handler=run, _parser=parser)


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `export`, comments, blank lines and surrounding quotes handled."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _ENV_NAME.match(key):
            raise ValueError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env: dict[str, str] = {}
    if args.env_file is not None:
        env.update(parse_env_file(args.env_file))
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not _ENV_NAME.match(key):
            raise ValueError(f"--env {item!r}: expected KEY=VALUE")
        env[key] = value
    return env


def _progress(message: str) -> None:
    """One line per phase on stderr, terminal or not: a CI log must not sit silent
    through the npm install and the build (tens of seconds)."""
    print(f"preflight: {message}", file=sys.stderr, flush=True)


class RunFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def _inputs(args: argparse.Namespace) -> tuple[list[Probe], list[Any], dict[str, str]]:
    """Probes, journey steps and environment, or a usage error naming the bad one."""
    parser: argparse.ArgumentParser = args._parser
    try:
        probes: list[Probe] = [parse_probe(p) for p in args.probe or ()]
        if not probes and not args.journey:
            probes = [dataclasses.replace(parse_probe(DEFAULT_PROBE), guessed=True)]
        steps = load_journey(args.journey) if args.journey else []
        env = _environment(args)
    except (ProbeSyntaxError, JourneyError, ValueError, OSError) as exc:
        parser.error(str(exc))
    return probes, steps, env


def _check_options(args: argparse.Namespace) -> None:
    parser: argparse.ArgumentParser = args._parser
    for port in args.forward_port:
        if not 0 < port < 65536:
            parser.error(f"--forward-port {port}: not a TCP port")
    if args.memory < 128 or args.concurrency < 1:
        parser.error("--memory must be at least 128 and --concurrency at least 1")
    probing = args.probe or args.journey or args.format != RunFormat.TEXT or args.output
    if args.serve and probing:
        parser.error("--serve does not combine with --probe, --journey, --format or --output")
    if not 0 <= args.port < 65536 or (args.port and not args.serve):
        parser.error(f"--port {args.port}: needs --serve and a TCP port")


def _failed_build(source: Path, failed: BuildFailed) -> RunResult:
    return RunResult(
        source=str(source),
        builder=failed.builder,
        function=None,
        caps=None,
        policy=None,
        build_error=failed,
        build_verdict=diagnose_build(failed.message, failed.log),
        notes=failed.notes,
    )


def _serve(emulation: Emulation, port: int) -> int:
    with emulation:
        _progress("starting the function behind the emulated edge")
        for note in [*emulation.notes, *emulation.function.notes]:
            print(f"preflight: {note}", file=sys.stderr)
        for missing in emulation.caps.missing:
            print(f"preflight: not checked: {missing}", file=sys.stderr)
        try:
            return run_edge(emulation, "127.0.0.1", port)
        except OSError as exc:
            print(f"preflight run: cannot serve on port {port}: {exc}", file=sys.stderr)
            return 2


def _probe(
    emulation: Emulation, source: Path, probes: list[Probe], steps: list[Any], concurrency: int
) -> RunResult:
    """Cold, warm and concurrent probes, then the journey; EmulatorError if this machine fails."""
    with emulation:
        if probes:
            _progress(
                f"starting the function: {_plural(len(probes), 'probe')} cold, warm "
                f"and {concurrency} at once"
            )
        outcome = run_all(emulation.launch, probes, concurrency)
        if steps:
            _progress(f"starting the function for the journey ({_plural(len(steps), 'step')})")
            outcome.journey = run_journey(emulation.launch, steps)
            outcome.journey_steps = len(steps)
        return RunResult(
            source=str(source),
            builder=emulation.function.builder,
            function=emulation.function,
            caps=emulation.caps,
            policy=emulation.policy,
            run=outcome,
            notes=[*emulation.notes, *emulation.function.notes],
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _emit(result: RunResult, args: argparse.Namespace) -> int:
    output = to_json(result) if args.format == RunFormat.JSON else to_text(result)
    if args.output is None:
        print(output, end="")
    else:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return 0 if result.ok else 1


def _deploy_root(path: Path) -> Path:
    """The folder to build: `path`, or the one Python project in it when `path` deploys
    no Python itself (a monorepo's backend/ with its own vercel.json: deploy_roots), as
    `preflight check` reports it. Several such projects: name them, build none."""
    if not path.is_dir():
        return path  # prepare() says what is wrong with it
    nested = deploy_roots(path)
    if not nested:
        return path
    folders = [shown_path(r.path, path.resolve()) for r in nested]
    if len(nested) > 1:
        raise UsageError(
            f"{path} deploys no Python itself and holds {len(nested)} Python projects: "
            f"run it on one of {', '.join(folders)}"
        )
    _progress(f"{path} deploys no Python itself: running {folders[0]} ({nested[0].reason})")
    return nested[0].path


def run(args: argparse.Namespace) -> int:
    """Phases: read the inputs, build (a rejected build is a result), then serve or probe."""
    probes, steps, env = _inputs(args)
    _check_options(args)
    source = _deploy_root(Path(args.path))
    try:
        emulation = prepare(
            source,
            env=env,
            forward_ports=tuple(args.forward_port),
            python_version=args.python,
            builder=args.builder,
            memory_mb=args.memory,
            progress=_progress,
        )
    except BuildFailed as failed:
        return _emit(_failed_build(source, failed), args)
    except EmulatorError as exc:
        print(f"preflight run: {exc}", file=sys.stderr)
        return 2
    if args.serve:
        return _serve(emulation, args.port)
    try:
        result = _probe(emulation, source, probes, steps, args.concurrency)
    except EmulatorError as exc:
        print(f"preflight run: {exc}", file=sys.stderr)
        return 2
    return _emit(result, args)
