"""The ``deepcuts`` command.

``deepcuts check``          run and verify every snippet of every article (what PR CI runs)
``deepcuts trace PATH``     run one snippet under the recorder; print a readable log or the JSON
``deepcuts run PATH``       run one snippet as the site build would and print its output
``deepcuts interpreters``   list the site's Python versions, where each is, or how to get it
``deepcuts cache``          show the run cache's size; prune or clear it
``deepcuts screenshots``    every page of the built site, desktop and phone, light and dark
``deepcuts new "TITLE"``    start a new DeepCut: article, snippet folder, index, nav and feed
``deepcuts index``          write the series index, home table, nav and feed from front matter
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from deepcuts.check import Checker, Fence, find_fences, summary
from deepcuts.cli_pages import add_series_commands, series_problems
from deepcuts.engine import Engine
from deepcuts.errors import DeepCutsError
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.render.tracelog import TraceLog
from deepcuts.run import interpreters
from deepcuts.run.cache import ResultCache
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet
from deepcuts.run.sandbox import choose_sandbox

_TIMEOUT = f"{protocol.TIMEOUT:g}"


def _snippets_root(path: Path, given: str | None) -> Path:
    """The snippets folder: as given, else the nearest ancestor called ``snippets``, else the
    file's own folder."""
    if given:
        return Path(given).resolve()
    for parent in path.resolve().parents:
        if parent.name == "snippets":
            return parent
    return path.resolve().parent


def _snippet_and_interpreter(args: argparse.Namespace) -> tuple[Path, Interpreter] | None:
    """The snippet file and interpreter a run or trace command names (None: no such file)."""
    path = Path(args.path)
    if not path.is_file():
        print(f"deepcuts: no such snippet file: {path}", file=sys.stderr)
        return None
    return path, interpreters.find(args.python) if args.python else interpreters.current()


def _cmd_run(args: argparse.Namespace) -> int:
    found = _snippet_and_interpreter(args)
    if found is None:
        return 2
    path, interpreter = found
    root = _snippets_root(path, args.snippets)
    sandbox = choose_sandbox(args.require_sandbox)
    trace = run_snippet(
        path.resolve(), root, interpreter, Limits(timeout=args.timeout), sandbox=sandbox
    )
    if args.json:
        print(json.dumps(trace.to_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(trace.stdout)
        sys.stderr.write(trace.stderr)
        if trace.error:
            print(f"deepcuts: {trace.error.kind}: {trace.error.message}", file=sys.stderr)
    return 0 if trace.ok else 1


def _cmd_trace(args: argparse.Namespace) -> int:
    found = _snippet_and_interpreter(args)
    if found is None:
        return 2
    path, interpreter = found
    record = RecordOptions(
        lines=args.lines, max_events=args.max_events, backend=args.backend, stdlib=args.stdlib
    )
    root = _snippets_root(path, args.snippets)
    sandbox = choose_sandbox(args.require_sandbox)
    trace = run_snippet(
        path.resolve(), root, interpreter, Limits(timeout=args.timeout), record, sandbox=sandbox
    )
    if args.json:
        print(json.dumps(trace.to_json(), indent=1, ensure_ascii=False))
    else:
        sys.stdout.write(TraceLog(trace).text())
    return 0 if trace.ok else 1


def _article_name(path: Path, docs: Path) -> str:
    """An article as the checker names it: its path under docs/ (given from here or from docs/)."""
    resolved = path.resolve()
    if resolved.is_relative_to(docs.resolve()):
        return resolved.relative_to(docs.resolve()).as_posix()
    return path.as_posix()


def find_all(docs: Path) -> list[Fence]:
    """Every Markdown file under docs/ as a fence-less entry: an article with no fence is known."""
    return [Fence(a.relative_to(docs).as_posix(), 0, "") for a in sorted(docs.rglob("*.md"))]


def _cmd_check(args: argparse.Namespace) -> int:
    from deepcuts.plugin import load_site  # noqa: PLC0415 - MkDocs reads its own configuration

    config, docs = load_site(Path(args.config))
    config = dataclasses.replace(
        config,
        require_sandbox=args.require_sandbox or config.require_sandbox,
        jobs=args.jobs or config.jobs,
    )
    if args.python:  # exactly these, every one required (a CI job per version)
        config = dataclasses.replace(config, pythons=tuple(args.python), optional_pythons=())
    engine = Engine(config)
    engine.report = lambda error: print(f"deepcuts: {error}", file=sys.stderr)
    found = {i.version for i in engine.interpreters()}
    missing = [v for v in config.pythons if v not in found and v not in config.optional_pythons]
    if missing:
        print(f"deepcuts: required CPython {', '.join(missing)} not found: nothing checked "
              "(deepcuts interpreters says how to get it)", file=sys.stderr)  # fmt: skip
        return 2
    fences = find_fences(docs)
    if args.articles:
        wanted = {_article_name(Path(a), docs) for a in args.articles}
        unknown = wanted - {f.article for f in fences} - {f.article for f in find_all(docs)}
        if unknown:
            print(f"deepcuts: no such article under {docs}: {', '.join(sorted(unknown))}",
                  file=sys.stderr)  # fmt: skip
            return 2
        fences = [f for f in fences if f.article in wanted]
    versions = ", ".join(i.full_version for i in engine.interpreters())
    print(f"checking {len(fences)} fence(s) on CPython {versions}", file=sys.stderr)
    for line in engine.sandbox().describe().split("; "):
        print(f"  {line}", file=sys.stderr)
    results = Checker(engine, update=args.update).run(fences)
    print(summary(results), end="")
    problems = series_problems(Path(args.config))
    for problem in problems:
        print(f"deepcuts: {problem}", file=sys.stderr)
    return 1 if problems or any(r.status == "failed" for r in results) else 0


def _cmd_cache(args: argparse.Namespace) -> int:
    from deepcuts.plugin import load_site  # noqa: PLC0415 - MkDocs reads its own configuration

    config, _docs = load_site(Path(args.config))
    if config.cache_dir is None:
        print("deepcuts: the site has no cache (cache_dir is empty)", file=sys.stderr)
        return 2
    cache = ResultCache(config.cache_dir, config.cache_max_mb * 2**20)
    if args.clear or args.prune:
        bound = 0 if args.clear else (args.max_mb * 2**20 if args.max_mb is not None else None)
        removed = cache.prune(bound)
        print(f"removed {removed} file(s)")
    stats = cache.stats()
    print(
        f"{config.cache_dir}: {stats.runs} run(s), {stats.fragments} rendered fence(s), "
        f"{stats.bytes / 2**20:.1f} MB "
        f"(bound {config.cache_max_mb} MB)"
        + (f", {stats.other} other file(s)" if stats.other else "")
    )
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    sandbox = choose_sandbox(args.require_sandbox)
    for layer in sandbox.layers:
        print(f"on       {layer}")
    for reason in sandbox.missing:
        print(f"missing  {reason}")
    return 0


def _configured_versions(config_file: Path) -> tuple[list[str], set[str], dict[str, str]]:
    """The versions a site runs on (``pythons``), the optional ones among them, and explicit
    paths; every supported version when there is no site here."""
    if not config_file.is_file():
        return list(interpreters.SUPPORTED), set(interpreters.SUPPORTED), {}
    from deepcuts.plugin import load_site  # noqa: PLC0415 - MkDocs reads its own configuration

    config, _docs = load_site(config_file)
    versions = list(config.pythons) or [interpreters.current().version]
    return versions, set(config.optional_pythons), dict(config.interpreter_paths)


def _where(found: Interpreter) -> str:
    if found.root is None:
        return found.executable
    return f"{found.root}/usr/bin/python{found.version} (in bubblewrap, with its own /usr)"


def _cmd_interpreters(args: argparse.Namespace) -> int:
    versions, optional, paths = _configured_versions(Path(args.config))
    if args.install is not None:
        from deepcuts.run import provision  # noqa: PLC0415 - only this command downloads

        # Named versions must all be provisioned; by default, the site's missing versions are,
        # where Debian carries them (a note for the others).
        wanted = args.install or [v for v in versions if _lookup(v, paths) is None]
        if wanted:
            provision.install(
                wanted,
                report=lambda line: print(line, file=sys.stderr),
                skip_unavailable=not args.install,
            )
    missing = 0
    for version in versions:
        kind = "optional" if version in optional else "required"
        try:
            found = interpreters.find(version, paths)
        except DeepCutsError as exc:
            missing += 1
            print(f"{version:<5} missing   ({kind}) {exc.message}")
            continue
        print(f"{version:<5} {found.full_version:<9} {found.origin + ':':<26} {_where(found)}")
    return 1 if args.require_all and missing else 0


def _lookup(version: str, paths: dict[str, str]) -> Interpreter | None:
    try:
        return interpreters.find(version, paths)
    except DeepCutsError:
        return None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test that checks the CLI reference)."""
    parser = argparse.ArgumentParser(prog="deepcuts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    trace = sub.add_parser("trace", help="run one snippet under the recorder; print its events")
    trace.add_argument("path", help="the snippet file")
    trace.add_argument("--python", metavar="X.Y", help="interpreter version (default: this one)")
    trace.add_argument("--lines", action="store_true", help="also record lines and their locals")
    trace.add_argument("--json", action="store_true", help="print the trace document as JSON")
    trace.add_argument(
        "--backend",
        choices=("auto", "settrace", "monitoring"),
        default="auto",
        help="recorder backend (default: sys.monitoring on 3.12+, else sys.settrace)",
    )
    trace.add_argument(
        "--max-events",
        type=int,
        default=protocol.MAX_EVENTS,
        metavar="N",
        help=f"stop recording after N events; 0 for no cap (default {protocol.MAX_EVENTS})",
    )
    trace.add_argument("--stdlib", action="store_true", help="record standard library frames too")
    trace.add_argument("--snippets", metavar="DIR", help="snippets folder, for relative paths")
    trace.add_argument(
        "--timeout", type=float, default=protocol.TIMEOUT, help=f"seconds (default {_TIMEOUT})"
    )
    trace.add_argument(
        "--require-sandbox", action="store_true", help="fail if a sandbox layer is missing"
    )
    trace.set_defaults(handler=_cmd_trace)

    run = sub.add_parser("run", help="run one snippet as the site build does; print its output")
    run.add_argument("path", help="the snippet file")
    run.add_argument("--python", metavar="X.Y", help="interpreter version (default: this one)")
    run.add_argument("--snippets", metavar="DIR", help="snippets folder, for relative paths")
    run.add_argument(
        "--timeout", type=float, default=protocol.TIMEOUT, help=f"seconds (default {_TIMEOUT})"
    )
    run.add_argument("--json", action="store_true", help="print the whole trace document")
    run.add_argument(
        "--require-sandbox", action="store_true", help="fail if a sandbox layer is missing"
    )
    run.set_defaults(handler=_cmd_run)

    check = sub.add_parser("check", help="run and verify every snippet of every article")
    check.add_argument(
        "articles", nargs="*", help="only these articles (paths, e.g. docs/deepcuts/x.md)"
    )
    check.add_argument("--config", default="mkdocs.yml", help="the site (default mkdocs.yml)")
    check.add_argument(
        "--update", action="store_true", help="rewrite the expected output files from the runs"
    )
    check.add_argument("--jobs", type=int, default=None, help="parallel runs (default: cores)")
    check.add_argument(
        "--require-sandbox", action="store_true", help="fail if a sandbox layer is missing"
    )
    check.add_argument(
        "--python",
        action="append",
        metavar="VERSION",
        help="check on this version only, and fail if it is missing (repeatable)",
    )
    check.set_defaults(handler=_cmd_check)

    cached = sub.add_parser("cache", help="show the run cache's size; prune or clear it")
    cached.add_argument("--config", default="mkdocs.yml", help="the site (default mkdocs.yml)")
    cached.add_argument(
        "--prune", action="store_true", help="remove the least recently used runs past the bound"
    )
    cached.add_argument(
        "--max-mb", type=int, metavar="N", help="with --prune: this bound instead of the site's"
    )
    cached.add_argument("--clear", action="store_true", help="remove every cached run")
    cached.set_defaults(handler=_cmd_cache)

    layers = sub.add_parser("sandbox", help="say which isolation layers snippet runs get here")
    layers.add_argument(
        "--require-sandbox", action="store_true", help="exit 2 if a layer is missing"
    )
    layers.set_defaults(handler=_cmd_sandbox)

    found = sub.add_parser(
        "interpreters", help="list the site's CPython versions: where each is, or how to get it"
    )
    found.add_argument("--config", default="mkdocs.yml", help="the site (default mkdocs.yml)")
    found.add_argument(
        "--install",
        nargs="*",
        metavar="X.Y",
        help="first download these versions from Debian's packages (default: the missing ones)",
    )
    found.add_argument(
        "--require-all", action="store_true", help="exit 1 when a configured version is missing"
    )
    found.set_defaults(handler=_cmd_interpreters)

    add_series_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``deepcuts`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except DeepCutsError as exc:
        print(f"deepcuts: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
