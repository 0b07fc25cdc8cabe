"""Site builds at scale, measured side by side in one run.

    python benchmarks/bench_build.py [--sizes 200,1000] [--repeat 3] [--pythons 3.12]
                                     [--venv PATH] [--no-serve] [--quick]

For each size and each set of interpreters (one, and every version the site is configured for),
a site is generated: N snippets (small recursive programs, one in ten recorded line by line
with a diagram and a viewer), 20 fences to a page, each snippet's expected output recorded
beside it. Then, on this machine, with medians of --repeat runs:

- bare: every snippet run as ``python snippet.py``, one after another (the sum), per version;
- plain: ``mkdocs build`` of the same pages with each fence replaced by its source and output as
  ordinary code blocks (no plugin, no extension);
- cold: ``mkdocs build`` with an empty cache; target at most 1.3x (bare / cores + plain);
- warm: ``mkdocs build`` again, with the cache; target at most 1.15x plain;
- serve: under ``mkdocs serve``, one snippet edited, until the page served shows its new output;
  target at most 1.2x (plain + that snippet's bare runs);
- peak RSS of the cold build (target: at most 300 MB at 1,000 snippets), and the cache's size
  per entry (median; target at most 20 KB).

Before each measurement the machine is let settle (less than 10% of the CPU busy for a second):
the kernel frees the sandbox's namespaces for seconds after a cold build's runs, and that work
would otherwise be charged to the next figure.

``--venv`` runs the builds with another checkout's virtual environment (its ``bin/mkdocs``), to
compare before and after a change; bare runs always use this checkout's interpreter discovery.
The figures are printed, never asserted: tests/test_benchmarks.py runs this at a tiny size.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deepcuts.run import interpreters
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.sandbox import rooted_command

REPO = Path(__file__).resolve().parents[1]
PER_PAGE = 20

SNIPPET = """\
def work(n):
    if n <= 1:
        return n
    return work(n - 1) + {step}


def main():
    values = [work(k) for k in range({count})]
    print("snippet {index}:", values)


main()
"""

FENCE = "```deepcut\nfile: gen/s{index}.py\n{extra}```\n"
EXTRA = "trace: lines\nviewer: true\ndiagrams:\n  - timeline\n"  # one fence in ten

CONFIG = """\
site_name: Benchmark
theme:
  name: material
  font: false
{plugins}
markdown_extensions:
  - pymdownx.highlight
{deepcuts}
  - pymdownx.superfences:
      custom_fences:
        - name: deepcut
          class: deepcut
          validator: !!python/name:deepcuts.fence.validate
          format: !!python/name:deepcuts.fence.format
"""


@dataclass
class Site:
    """One generated site and its plain twin."""

    root: Path
    plain: Path
    snippets: list[Path]
    versions: list[str]
    bare: dict[str, float] = field(default_factory=dict)  # snippet path -> seconds, all versions


def generate(folder: Path, size: int, versions: list[str]) -> Site:
    """Write the site, its plain twin, and the snippets with their expected output."""
    root, plain = folder / "site", folder / "plain"
    snippets_dir = root / "snippets" / "gen"
    snippets_dir.mkdir(parents=True)
    paths = []
    for index in range(size):
        path = snippets_dir / f"s{index}.py"
        path.write_text(SNIPPET.format(index=index, step=index % 7, count=3 + index % 5))
        paths.append(path)
    pythons = ", ".join(f"'{v}'" for v in versions)
    deepcuts = (
        "  - deepcuts:\n      snippets_dir: snippets\n      cache_dir: .cache/deepcuts\n"
        f"      pythons: [{pythons}]\n"
    )
    (root / "mkdocs.yml").write_text(
        CONFIG.format(plugins="plugins:\n  - deepcuts", deepcuts=deepcuts)
    )
    (plain / "docs").mkdir(parents=True)
    (plain / "mkdocs.yml").write_text(CONFIG.format(plugins="plugins: []", deepcuts=""))
    (root / "docs").mkdir()
    return Site(root, plain, paths, versions)


def write_pages(site: Site, outputs: dict[Path, str]) -> None:
    """The pages, PER_PAGE fences each, and their plain twins (source and output as code)."""
    for page in range(0, len(site.snippets), PER_PAGE):
        fences, blocks = [f"# Page {page // PER_PAGE}\n"], [f"# Page {page // PER_PAGE}\n"]
        for index in range(page, min(page + PER_PAGE, len(site.snippets))):
            path = site.snippets[index]
            extra = EXTRA if index % 10 == 0 else ""
            fences.append(f"## Snippet {index}\n\n" + FENCE.format(index=index, extra=extra))
            blocks.append(
                f"## Snippet {index}\n\n```python\n{path.read_text()}```\n\n"
                f"```text\n{outputs[path]}```\n"
            )
        name = f"page{page // PER_PAGE}.md"
        (site.root / "docs" / name).write_text("\n".join(fences))
        (site.plain / "docs" / name).write_text("\n".join(blocks))
    (site.root / "docs" / "index.md").write_text("# Benchmark\n")
    (site.plain / "docs" / "index.md").write_text("# Benchmark\n")


def bare_command(interpreter: Interpreter, script: Path) -> list[str]:
    argv = [interpreter.executable, str(script)]
    if interpreter.root is not None:  # it runs only with its own /usr: bubblewrap is part of it
        argv = rooted_command(interpreter.root, argv, readable=[str(script.parent)])
    return argv


def bare_runs(site: Site, found: list[Interpreter]) -> dict[Path, str]:
    """Run every snippet on every version, one after another; record the output."""
    outputs: dict[Path, str] = {}
    env = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"}
    for path in site.snippets:
        total = 0.0
        for interpreter in found:
            started = time.perf_counter()
            done = subprocess.run(
                bare_command(interpreter, path), capture_output=True, text=True, env=env,
                check=True, cwd=path.parent,
            )  # fmt: skip
            total += time.perf_counter() - started
            outputs[path] = done.stdout
        site.bare[str(path)] = total
        path.with_suffix(".out").write_text(outputs[path])
    return outputs


def _busy() -> tuple[int, int]:
    with Path("/proc/stat").open() as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)  # busy, total (idle, iowait out)


def settle(limit: float = 30.0) -> None:
    """Wait until the machine is quiet: the kernel frees a sandbox's namespaces for seconds after
    the runs end, and that work would be charged to whatever is measured next."""
    deadline = time.monotonic() + limit
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        busy, total = _busy()
        time.sleep(0.5)
        busy2, total2 = _busy()
        quiet = quiet + 1 if (busy2 - busy) < 0.1 * max(total2 - total, 1) else 0


def mkdocs(venv: Path, folder: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one ``mkdocs build``, on a quiet machine."""
    settle()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(venv / "bin" / "mkdocs"), "build", "-q"],
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode() if process.stderr else ""
    if status != 0:
        raise SystemExit(f"mkdocs build failed in {folder}:\n{errors[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def cache_entries(site: Site) -> tuple[list[int], int]:
    """The sizes of the stored runs, and the size of the whole cache (rendered fences too)."""
    cache = site.root / ".cache" / "deepcuts"
    if not cache.is_dir():
        return [], 0
    files = [p for p in cache.rglob("*") if p.is_file()]
    runs = [p.stat().st_size for p in files if p.name.endswith(".trace")]
    return runs, sum(p.stat().st_size for p in files)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_edit(venv: Path, site: Site, repeat: int) -> tuple[float, float]:
    """Median seconds from editing one snippet to the page served showing its new output, and
    the median bare time of the snippets edited."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(venv / "bin" / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"],
        cwd=site.root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    times, bare = [], []
    try:
        page_url = f"http://127.0.0.1:{port}/page0/"
        _wait_for(page_url, "snippet 1:", 600)
        for edit in range(repeat):
            index = 1 + edit
            path = site.snippets[index]
            marker = f"edited {edit} {time.monotonic_ns()}"
            source = path.read_text().replace("print(", f"print({marker!r}, ", 1)
            path.with_suffix(".out").unlink(missing_ok=True)  # not verified: the output changed
            settle()
            started = time.perf_counter()
            path.write_text(source)
            _wait_for(page_url, marker, 600)
            times.append(time.perf_counter() - started)
            bare.append(site.bare[str(path)])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return statistics.median(times), statistics.median(bare)


def _wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if text in response.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{url} never showed {text!r}")


def median_of(repeat: int, measure: object) -> list[tuple[float, float]]:
    return [measure() for _ in range(repeat)]  # type: ignore[operator]


def bench(size: int, versions: list[str], venv: Path, repeat: int, serve: bool) -> list[str]:
    found = [interpreters.find(v) for v in versions]
    with tempfile.TemporaryDirectory(prefix="deepcuts-bench-") as folder:
        site = generate(Path(folder), size, versions)
        outputs = bare_runs(site, found)
        write_pages(site, outputs)
        bare_total = sum(site.bare.values())
        cores = os.cpu_count() or 1
        plain, cold, warm, rss = [], [], [], []
        for _ in range(repeat):  # interleaved: plain, cold, warm
            plain.append(mkdocs(venv, site.plain)[0])
            shutil.rmtree(site.root / ".cache", ignore_errors=True)
            seconds, peak = mkdocs(venv, site.root)
            cold.append(seconds)
            rss.append(peak)
            warm.append(mkdocs(venv, site.root)[0])
        plain_s, cold_s, warm_s = (statistics.median(x) for x in (plain, cold, warm))
        entries, cache_bytes = cache_entries(site)
        label = f"{size:>5} snippets x {len(versions)} ({', '.join(f.full_version for f in found)})"
        rows = [
            f"{label}: bare {bare_total:6.1f} s in all; plain build {plain_s:5.2f} s",
            f"    cold  {cold_s:6.2f} s = {cold_s / (bare_total / cores + plain_s):4.2f}x "
            f"(bare / {cores} cores + plain = {bare_total / cores + plain_s:5.2f} s; target 1.3)",
            f"    warm  {warm_s:6.2f} s = {warm_s / plain_s:4.2f}x plain (target 1.15)",
            f"    peak RSS of the cold build {statistics.median(rss):6.1f} MB"
            " (target 300 at 1,000);"
            f" cache {cache_bytes / 1e6:6.1f} MB; {len(entries)} runs, median "
            f"{statistics.median(entries) / 1e3 if entries else 0:5.1f} KB each (target 20)",
        ]
        if serve:
            reload_s, bare_s = serve_edit(venv, site, repeat)
            rows.append(
                f"    serve edit-to-reload {reload_s:5.2f} s = "
                f"{reload_s / (plain_s + bare_s):4.2f}x (plain {plain_s:4.2f} + the snippet's "
                f"bare runs {bare_s:4.2f} s; target 1.2)"
            )
        return rows


def configured_versions() -> list[str]:
    text = (REPO / "mkdocs.yml").read_text()
    match = re.search(r"^\s+pythons: \[(.*)\]", text, re.MULTILINE)
    return [v.strip().strip("'\"") for v in match[1].split(",")] if match else ["3.12"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="snippets per site (default 200,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--pythons", default=None, help="'one' set (default: 3.12)")
    parser.add_argument("--all", default=None, help="the 'all' set (default: mkdocs.yml's)")
    parser.add_argument("--venv", default=str(Path(sys.executable).parent.parent))
    parser.add_argument("--no-serve", action="store_true", help="skip the serve measurement")
    parser.add_argument("--quick", action="store_true", help="4 snippets, 1 run: a smoke test")
    args = parser.parse_args(argv)
    sizes = [4] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    one = (args.pythons or "3.12").split(",")
    every = args.all.split(",") if args.all else configured_versions()
    sets = [one] if args.quick or one == every else [one, every]
    print(
        f"medians of {repeat}; {os.cpu_count()} cores; builds by {args.venv}/bin/mkdocs",
        flush=True,
    )
    for size in sizes:
        for versions in sets:
            for row in bench(size, versions, Path(args.venv), repeat, not args.no_serve):
                print(row, flush=True)


if __name__ == "__main__":
    main()
