"""Edit and run, at build time: Pyodide's files and the Python the browser runs, into the site.

A reader's run happens in their browser (``docs/assets/deepcuts-run.js`` and its worker), with
Pyodide from the site itself: its files are copied here, once per site, from the npm package
``pyodide`` at :data:`PYODIDE_VERSION`, which the setup (``bin/test``, ``.ci/run``) installs into
:data:`DEFAULT_DIR`. Nothing is fetched at build time or when a page is read. Where the package is
missing, the control is not offered and the build says why (:func:`find_pyodide`).

With the files, ``assets/deepcuts-run.json`` carries the Python modules of :data:`inbrowser.BUNDLE`
(the recorder, the channel decoder, the viewer's data), read from this very package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deepcuts import inbrowser
from deepcuts.errors import DeepCutsError

PYODIDE_VERSION = "314.0.7"
#: npm's integrity of pyodide-314.0.7.tgz (``npm view pyodide@314.0.7 dist.integrity``): bin/test
#: checks the tarball against it before installing.
PYODIDE_INTEGRITY = "sha512-" + (
    "0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
)
DEFAULT_DIR = Path("~/.cache/deepcuts/npm/node_modules/pyodide")
ENV_DIR = "DEEPCUTS_PYODIDE_DIR"  # overrides the configuration's pyodide_dir and the default

#: What the worker loads from the package (no source maps, no TypeScript, no demo pages).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
SITE_PYODIDE = "assets/pyodide/"  # in the built site
SITE_BUNDLE = "assets/deepcuts-run.json"


def find_pyodide(configured: str | None = None) -> tuple[Path | None, str]:
    """The installed package's folder, or None and why it cannot be used (a sentence)."""
    given = os.environ.get(ENV_DIR) or configured or str(DEFAULT_DIR)
    folder = Path(given).expanduser()
    manifest = folder / "package.json"
    how = (
        f"install it with `npm install --prefix ~/.cache/deepcuts/npm pyodide@{PYODIDE_VERSION}` "
        f"(bin/test does), or set {ENV_DIR}"
    )
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None, f"the npm package pyodide is not installed in {folder}: {how}"
    if version != PYODIDE_VERSION:
        return None, f"{folder} holds pyodide {version}, not {PYODIDE_VERSION}: {how}"
    missing = [name for name in PYODIDE_FILES if not (folder / name).is_file()]
    if missing:
        return None, f"{folder} lacks {', '.join(missing)}: {how}"
    return folder, ""


def bundle() -> dict[str, str]:
    """The Python the browser needs, as {path under the deepcuts package: source}."""
    package = Path(__file__).resolve().parent
    files = {name: (package / name).read_text(encoding="utf-8") for name in inbrowser.BUNDLE}
    for folder in inbrowser.PACKAGES:
        files[f"{folder}/__init__.py".lstrip("/")] = ""
    return files


def install(site_dir: Path, pyodide: Path) -> int:
    """Copy Pyodide's files and the bundle into ``site_dir``; the bytes written (a file already
    there with the same size and time is kept, so ``mkdocs serve`` copies once)."""
    target = site_dir / SITE_PYODIDE
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for name in PYODIDE_FILES:
        source, dest = pyodide / name, target / name
        stat = source.stat()
        if dest.is_file() and (dest.stat().st_size, int(dest.stat().st_mtime)) == (
            stat.st_size,
            int(stat.st_mtime),
        ):
            continue
        shutil.copy2(source, dest)
        written += stat.st_size
    data = json.dumps(
        {"version": PYODIDE_VERSION, "lib": inbrowser.LIB, "files": bundle()},
        separators=(",", ":"),
    )
    (site_dir / SITE_BUNDLE).write_text(data, encoding="utf-8")
    return written + len(data)


def install_package(prefix: Path = DEFAULT_DIR.parent.parent) -> Path:
    """Install the pinned npm package into ``prefix`` (``bin/test`` calls this): ``npm pack``
    downloads its tarball, which must match :data:`PYODIDE_INTEGRITY`, and ``npm install``
    installs that very file. Returns the package's folder."""
    prefix = prefix.expanduser()
    folder = prefix / "node_modules" / "pyodide"
    if find_pyodide(str(folder))[0] is not None:
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise DeepCutsError("npm is not installed (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as scratch:
        packed = subprocess.run(
            [npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", scratch, "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if packed.returncode != 0:
            raise DeepCutsError("npm pack pyodide failed", detail=packed.stderr)
        tarball = Path(scratch) / json.loads(packed.stdout)[0]["filename"]
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != PYODIDE_INTEGRITY:
            raise DeepCutsError(
                f"{tarball.name} does not match the pinned integrity: not installed"
            )
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-save", "--no-audit", "--no-fund",
             "--ignore-scripts", str(tarball)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise DeepCutsError("npm install pyodide failed", detail=done.stderr)
    return folder


if __name__ == "__main__":
    sys.stderr.write(f"pyodide {PYODIDE_VERSION}: {install_package()}\n")
