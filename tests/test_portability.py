"""The site built by MkDocs, by ProperDocs and by Zensical, compared page by page.

Material for MkDocs is in maintenance; ProperDocs (the MkDocs 1.6 fork) runs our plugin, Zensical
runs Markdown extensions but no MkDocs plugin. The same copy of the site is built by all three
(the deepcuts cache, seeded from the repository's, makes the second and third builds cheap), and
for every page the main text and every deepcut block must be the same as under MkDocs. What does
differ is collected into a report (printed; docs/reference/portability.md holds the measured one).

ProperDocs and Zensical are installed, pinned, into a venv of their own under
``~/.cache/deepcuts/portability/`` that sees this interpreter's packages (deepcuts, Material,
pymdown-extensions): nothing in the project's venv changes. Without PyPI the build tests skip.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from conftest import REPO, copy_project
from deepcuts.config import EngineConfig
from deepcuts.discover import scan_fences
from deepcuts.engine import get_engine
from deepcuts.extension import PLUGIN_MISSING, DeepCutsExtension

#: What is measured. Zensical 0.1.x needs zensical-ui, which the registry here does not serve.
PINS = ("properdocs==1.6.7", "zensical==0.0.73")
TOOLS_HOME = Path(
    os.environ.get("DEEPCUTS_PORTABILITY_HOME")
    or Path.home() / ".cache" / "deepcuts" / "portability"
)
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


# -- extraction ---------------------------------------------------------------------------------
class _Blocks(HTMLParser):
    """Offsets of the page's main text (Material's ``article.md-content__inner``) and of every
    deepcut block in it (``div.deepcut``, or ``div.deepcut-error`` for a failed fence)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.open: list[tuple[str, int, str | None]] = []
        self.found: list[tuple[str, int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("div", "article"):
            return
        classes = (dict(attrs).get("class") or "").split()
        kind = None
        if tag == "article" and "md-content__inner" in classes:
            kind = "article"
        elif "deepcut" in classes or "deepcut-error" in classes:
            kind = "deepcut"
        self.open.append((tag, self._offset(), kind))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("div", "article") or not self.open:
            return
        name, start, kind = self.open.pop()
        if kind is not None and name == tag:
            self.found.append((kind, start, self._offset() + len(f"</{tag}>")))


_ID = re.compile(r"dc[0-9a-f]{10}(?![0-9a-f])")


def stable_ids(text: str) -> str:
    """A fence's element ids (``dc`` and 10 hex digits, from ``render.outputs.tab_anchor``) seed
    on the article and the line in its file, which only the plugin knows: numbered in order of
    first appearance instead, so that which elements share an id is still compared."""
    seen: dict[str, str] = {}
    return _ID.sub(lambda m: seen.setdefault(m[0], f"dc-id-{len(seen) + 1}"), text)


#: What the plugin adds to a fence's HTML (in ``on_post_page``), by the feature the extension's
#: message (PLUGIN_MISSING) names as missing without it: set aside in the comparison, and noted.
PLUGIN_ONLY = {"Edit and run": re.compile(r' data-run="[^"]*"')}


def _without_plugin_only(text: str) -> tuple[str, list[str]]:
    lost = []
    for feature, pattern in PLUGIN_ONLY.items():
        text, count = pattern.subn("", text)
        if count:
            lost.append(feature)
    return text, lost


def _text(fragment: str) -> str:
    """The words a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@dataclass
class PageParts:
    """One built page: its main text and its deepcut blocks, in order."""

    article: str
    blocks: list[str]

    @classmethod
    def read(cls, path: Path) -> PageParts:
        text = path.read_text(encoding="utf-8")
        parser = _Blocks(text)
        parser.feed(text)
        parser.close()
        articles = [(s, e) for kind, s, e in parser.found if kind == "article"]
        # Only the outermost deepcut blocks (a block holds no other block today).
        spans = sorted((s, e) for kind, s, e in parser.found if kind == "deepcut")
        blocks = [text[s:e] for s, e in spans]
        article = text[articles[0][0] : articles[0][1]] if articles else ""
        return cls(article, blocks)

    def prose(self) -> str:
        """The main text with every deepcut block taken out."""
        rest = self.article
        for block in self.blocks:
            rest = rest.replace(block, "\n", 1)
        return rest


@dataclass
class Comparison:
    """What differs from the MkDocs build, page by page."""

    tool: str
    pages: int = 0
    blocks: int = 0
    failures: list[str] = field(default_factory=list)  # what must not differ
    notes: list[str] = field(default_factory=list)  # theme chrome and renamed ids

    def report(self) -> str:
        lines = [f"{self.tool}: {self.pages} pages, {self.blocks} deepcut blocks compared"]
        lines += [f"  DIFFERS {line}" for line in self.failures]
        lines += [f"  note    {line}" for line in self.notes]
        return "\n".join(lines)


def _first_difference(a: str, b: str) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return (
        f"at character {at}: {a[max(0, at - 60) : at + 60]!r} vs {b[max(0, at - 60) : at + 60]!r}"
    )


def compare_sites(reference: Path, other: Path, tool: str) -> Comparison:
    """Compare every page of ``other`` with the same page of ``reference`` (the MkDocs build)."""
    result = Comparison(tool)
    ours = {p.relative_to(reference).as_posix() for p in reference.rglob("*.html")}
    theirs = {p.relative_to(other).as_posix() for p in other.rglob("*.html")}
    result.failures += [f"{name}: missing" for name in sorted(ours - theirs)]
    result.notes += [f"{name}: only under {tool}" for name in sorted(theirs - ours)]
    chrome: dict[str, list[str]] = {}
    for name in sorted(ours & theirs):
        result.pages += 1
        want, got = PageParts.read(reference / name), PageParts.read(other / name)
        if not want.article or not got.article:
            result.failures.append(f"{name}: no main text found (article.md-content__inner)")
            continue
        if len(want.blocks) != len(got.blocks):
            result.failures.append(
                f"{name}: {len(got.blocks)} deepcut blocks, MkDocs has {len(want.blocks)}"
            )
        _compare_blocks(name, want.blocks, got.blocks, result)
        if _text(want.prose()) != _text(got.prose()):
            where = _first_difference(_text(want.prose()), _text(got.prose()))
            result.failures.append(f"{name}: main text differs {where}")
        for line in _markup_lines(want.prose(), got.prose()):
            chrome.setdefault(line, []).append(name)
    for line, names in chrome.items():
        where = "every page" if len(names) == result.pages else ", ".join(names)
        result.notes.append(f"main text markup {line} ({where})")
    return result


def _compare_blocks(name: str, want: list[str], got: list[str], result: Comparison) -> None:
    """Each deepcut block of a page against MkDocs': the same, up to its element ids and to what
    only the plugin adds (PLUGIN_ONLY)."""
    renamed = 0
    lacking: dict[str, int] = {}
    for index, (a, b) in enumerate(zip(want, got, strict=False), 1):
        result.blocks += 1
        renamed += a != b
        if stable_ids(a) == stable_ids(b):
            continue
        stripped, lost = _without_plugin_only(a)
        if lost and stable_ids(stripped) == stable_ids(b):
            renamed -= stripped == b
            for feature in lost:
                lacking[feature] = lacking.get(feature, 0) + 1
            continue
        where = _first_difference(stable_ids(stripped), stable_ids(b))
        result.failures.append(f"{name}: deepcut block {index} differs {where}")
    for feature, count in lacking.items():
        result.notes.append(f"{name}: {count} deepcut blocks without {feature} (plugin only)")
    if renamed:
        result.notes.append(
            f"{name}: {renamed} of {len(want)} deepcut blocks have other element ids "
            "(tabs, diagrams, viewer, step links)"
        )


def _markup_lines(a: str, b: str) -> list[str]:
    """Lines of main-text markup (blank lines ignored) present in one build only."""
    left = [line.strip() for line in a.splitlines() if line.strip()]
    right = [line.strip() for line in b.splitlines() if line.strip()]
    only_left = [f"only under MkDocs: {line}" for line in left if line not in right]
    only_right = [f"added: {line}" for line in right if line not in left]
    return only_left + only_right


# -- the tools ----------------------------------------------------------------------------------
@dataclass
class Tools:
    """A venv with ProperDocs and Zensical that sees this interpreter's packages."""

    bin: Path

    def version(self, name: str) -> str:
        done = subprocess.run(
            [
                str(self.bin / "python"),
                "-c",
                f"import importlib.metadata as m; print(m.version({name!r}))",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()


def _tools() -> Tools:
    """Make (once per pin set and interpreter) the tools' venv, or skip saying why."""
    ours = sysconfig.get_paths()["purelib"]
    stamp = hashlib.sha256(f"{PINS}{sys.executable}{ours}".encode()).hexdigest()[:12]
    home = TOOLS_HOME / f"venv-{stamp}"
    python = home / "bin" / "python"
    if (home / "ready").is_file():
        return Tools(home / "bin")
    shutil.rmtree(home, ignore_errors=True)
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(home)], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"no venv for ProperDocs and Zensical could be made: {made.stderr[-500:]}")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The project's packages (deepcuts, Material, pymdown-extensions) come from this venv, with
    # its own .pth files processed (the editable install of deepcuts is one).
    Path(purelib, "_deepcuts_project.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *PINS],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if installed.returncode != 0:
        pytest.skip(
            f"{' and '.join(PINS)} could not be installed here (PyPI unreachable?): "
            f"{installed.stderr.strip()[-500:]}"
        )
    (home / "ready").write_text("\n".join(PINS) + "\n", encoding="utf-8")
    return Tools(home / "bin")


@dataclass
class Built:
    """The same site built by the three tools: where each wrote it and what each printed."""

    root: Path
    sites: dict[str, Path]
    logs: dict[str, str]
    versions: dict[str, str]


def _run(command: list[str], root: Path) -> str:
    done = subprocess.run(
        command,
        cwd=root,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{log}"
    return log


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tools = _tools()
    root = copy_project(tmp_path_factory.mktemp("portability") / "project")
    cache = REPO / ".cache" / "deepcuts"
    if cache.is_dir():
        # The runs this checkout already made (the builds then run only what changed), not the
        # rendered fences: every build renders from the same runs, as a first build would.
        shutil.copytree(
            cache, root / ".cache" / "deepcuts", ignore=shutil.ignore_patterns("*.html")
        )
    out = root.parent
    logs = {
        "mkdocs": _run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out / "mkdocs")], root
        ),
        "properdocs": _run(
            [
                str(tools.bin / "properdocs"),
                "build",
                "--strict",
                "-f",
                "mkdocs.yml",
                "-d",
                str(out / "properdocs"),
            ],
            root,
        ),
        # Zensical has no output option: it writes site_dir (site/). Not --clean: that empties
        # .cache/, our cache_dir included; in a fresh copy every page renders anyway.
        "zensical": _run(
            [str(tools.bin / "zensical"), "build", "--strict", "-f", "mkdocs.yml"], root
        ),
    }
    shutil.move(root / "site", out / "zensical")
    versions = {
        "mkdocs": subprocess.run(
            [sys.executable, "-c", "import importlib.metadata as m; print(m.version('mkdocs'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip(),
        "properdocs": tools.version("properdocs"),
        "zensical": tools.version("zensical"),
    }
    return Built(root, {name: out / name for name in logs}, logs, versions)


def _fences_in(root: Path) -> int:
    return sum(
        len(scan_fences(page.read_text(encoding="utf-8").splitlines()))
        for page in (root / "docs").rglob("*.md")
    )


@pytest.mark.slow
def test_every_build_renders_every_fence(built: Built) -> None:
    fences = _fences_in(built.root)
    for tool, site in built.sites.items():
        found = [block for page in site.rglob("*.html") for block in PageParts.read(page).blocks]
        blocks = len(found)
        errors = sum("deepcut-error" in block.partition(">")[0] for block in found)
        assert (blocks, errors) == (fences, 0), (
            f"{tool} ({built.versions[tool]}):\n{built.logs[tool]}"
        )


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["properdocs", "zensical"])
def test_pages_match_the_mkdocs_build(built: Built, tool: str) -> None:
    result = compare_sites(built.sites["mkdocs"], built.sites[tool], tool)
    report = f"{tool} {built.versions[tool]} against mkdocs {built.versions['mkdocs']}\n"
    report += result.report()
    print(report)  # noqa: T201 - the measured differences, for docs/reference/portability.md
    assert result.pages >= 10 and result.blocks >= _fences_in(built.root), report
    assert not result.failures, report


@pytest.mark.slow
def test_only_a_host_without_the_plugin_is_told_what_it_lacks(built: Built) -> None:
    assert PLUGIN_MISSING in built.logs["zensical"], built.logs["zensical"]
    assert built.logs["zensical"].count("deepcuts MkDocs plugin is not loaded") == 1
    for tool in ("mkdocs", "properdocs"):
        assert "plugin is not loaded" not in built.logs[tool], built.logs[tool]
        # The plugin ran: its end-of-build summary.
        assert "snippet run(s) executed" in built.logs[tool], built.logs[tool]


# -- without any build --------------------------------------------------------------------------
def test_the_comparison_catches_a_changed_output(tmp_path: Path) -> None:
    """The comparison can fail: another output, or a fence gone, is a difference; renamed
    ids alone are not."""
    page = (
        '<article class="md-content__inner md-typeset"><h1>T</h1><p>Prose.</p>\n'
        '<div class="deepcut" data-deepcut="a.py"><div class="deepcut-output" id="{id}_1">'
        '<pre class="deepcut-stdout"><code>{out}</code></pre></div></div>\n</article>'
    )
    for name, (ident, out) in {
        "mkdocs": ("dc0123456789", "1"),
        "renamed": ("dcabcdefabcd", "1"),
        "changed": ("dc0123456789", "2"),
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(page.format(id=ident, out=out))
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "index.html").write_text(
        '<article class="md-content__inner md-typeset"><h1>T</h1><p>Prose.</p>\n</article>'
    )
    renamed = compare_sites(tmp_path / "mkdocs", tmp_path / "renamed", "renamed")
    assert not renamed.failures and renamed.notes, renamed.report()
    changed = compare_sites(tmp_path / "mkdocs", tmp_path / "changed", "changed")
    assert any("deepcut block 1 differs" in f for f in changed.failures), changed.report()
    gone = compare_sites(tmp_path / "mkdocs", tmp_path / "gone", "gone")
    assert any("0 deepcut blocks, MkDocs has 1" in f for f in gone.failures), gone.report()


def _superfences_config() -> dict[str, object]:
    from deepcuts import fence  # noqa: PLC0415 - the callables themselves, as YAML gives them

    return {
        "custom_fences": [
            {
                "name": "deepcut",
                "class": "deepcut",
                "validator": fence.validate,
                "format": fence.format,
            }
        ]
    }


def test_without_the_plugin_the_fence_renders_and_what_is_lost_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    (snippets / "hello.py").write_text('print("hello from the bare host")\n')
    (snippets / "hello.out").write_text("hello from the bare host\n")
    page = "# Page\n\n```deepcut\nfile: hello.py\n```\n"
    caplog.set_level(logging.WARNING, logger="deepcuts")
    pages = []
    for _ in range(2):  # a host makes one Markdown instance per page
        md = markdown.Markdown(
            extensions=[
                DeepCutsExtension(snippets_dir=str(snippets), cache_dir=""),
                "pymdownx.superfences",
            ],
            extension_configs={"pymdownx.superfences": _superfences_config()},
        )
        pages.append(md.convert(page))
    for built_page in pages:
        assert 'class="deepcut"' in built_page and "hello from the bare host" in built_page
        assert "deepcut-error" not in built_page
    told = [r.getMessage() for r in caplog.records if "plugin is not loaded" in r.getMessage()]
    assert told == [PLUGIN_MISSING]
    lost = ("no article", "do not fail the build", "`deepcuts check`", "not pruned",
            "index, navigation and feed", "relative to the working directory")  # fmt: skip
    for feature in (*PLUGIN_ONLY, *lost):
        assert feature in PLUGIN_MISSING


def test_with_the_plugin_driving_the_engine_nothing_is_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    get_engine(
        EngineConfig.from_options({"snippets_dir": str(snippets), "cache_dir": ""})
    ).plugin = True  # what DeepCutsPlugin.on_config does
    caplog.set_level(logging.WARNING, logger="deepcuts")
    markdown.Markdown(
        extensions=[
            DeepCutsExtension(snippets_dir=str(snippets), cache_dir=""),
            "pymdownx.superfences",
        ],
        extension_configs={"pymdownx.superfences": _superfences_config()},
    ).convert("# Page\n")
    assert not [r for r in caplog.records if "plugin is not loaded" in r.getMessage()]
