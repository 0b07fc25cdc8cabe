"""Provision CPython versions the machine lacks, from Debian's binary packages.

Debian's unstable suite carries new CPython releases as binary packages (``python3.X-minimal``,
``libpython3.X-minimal``, ``libpython3.X-stdlib``) before any stable release does. They are built
against that suite's C library, newer than a stable machine's, so they are not installed: they are
downloaded with ``apt-get download`` under an apt state of our own (our own sources file, lists,
cache and an empty status: the machine's apt setup is never read for packages, never changed),
unpacked with ``dpkg -x`` beside the libraries they load into one folder per version, and run
with that folder's ``usr`` mounted as ``/usr`` by bubblewrap (``sandbox.usr_from_root``).

Layout, in the user's cache (``$XDG_CACHE_HOME/deepcuts/pythons``)::

    3.14/root/usr/bin/python3.14     the interpreter, and the C library and modules it loads
    3.14/manifest.json               packages, versions, SHA-256 of each file, what the probe said

A version is unpacked into a temporary folder, checked (every package's SHA-256 against the signed
index, then the interpreter itself asked for its version inside the sandbox) and only then renamed
into place, so a folder that exists is whole.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deepcuts.errors import DeepCutsError
from deepcuts.run.interpreters import Candidate, Interpreter, ask, inspect, user_cache_dir
from deepcuts.run.sandbox import rooted_command

SUITE = "sid"
#: The packages that make up an interpreter; the libraries they load are added from their
#: dependencies (every ``lib*`` or ``zlib*`` package those depend on, transitively). Data and
#: configuration packages (tzdata, netbase, media-types, debconf) are left out: snippets run with
#: TZ=UTC and no network.
PACKAGES = ("python{v}-minimal", "libpython{v}-minimal", "libpython{v}-stdlib")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
_LIBRARY = re.compile(r"^(lib|zlib)")
_SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))


class ProvisionError(DeepCutsError):
    """A version could not be provisioned; the message says why and what to do instead."""

    kind = "provision"


class Unavailable(ProvisionError):
    """Debian's suite carries no packages for that version."""


def pythons_dir() -> Path:
    """Where provisioned interpreters live."""
    return user_cache_dir() / "pythons"


def installed_root(version: str) -> Path | None:
    """The root of a provisioned CPython ``version``, if one is unpacked here."""
    root = pythons_dir() / version / "root"
    manifest = pythons_dir() / version / "manifest.json"
    if (root / "usr" / "bin" / f"python{version}").is_file() and manifest.is_file():
        return root
    return None


def can_provision() -> bool:
    """True on a Debian-family machine with apt and dpkg (whether bubblewrap is there or not)."""
    return bool(shutil.which("apt-get") and shutil.which("dpkg-deb") and KEYRING.is_file())


def mirror() -> str:
    """The Debian mirror this machine's apt already uses (its first ``.../debian`` URI that is not
    the security archive), else Debian's own redirector."""
    found: list[str] = []
    files: list[Path] = []
    for source in _SOURCES:
        if source.is_dir():
            files += sorted(source.glob("*.list")) + sorted(source.glob("*.sources"))
        elif source.is_file():
            files.append(source)
    for file in files:
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if line.startswith("URIs:"):
                found += line.removeprefix("URIs:").split()
            elif line.startswith("deb "):
                words = re.sub(r"\[[^]]*\]", "", line).split()  # deb [options] URI suite ...
                found += words[1:2]
    for uri in found:
        if re.match(r"^https?://", uri) and uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    return DEFAULT_MIRROR


@dataclass(frozen=True)
class Package:
    """One binary package as the index describes it."""

    name: str
    version: str
    filename: str
    sha256: str
    size: int
    depends: tuple[str, ...]


class PrivateApt:
    """apt-get and apt-cache with a state folder of their own."""

    def __init__(self, folder: Path, mirror_uri: str) -> None:
        self.folder = folder
        self.mirror = mirror_uri
        for sub in ("lists/partial", "cache/archives/partial", "preferences.d"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / "status").write_text("")
        (folder / "sources.list").write_text(
            f"deb [signed-by={KEYRING}] {mirror_uri} {SUITE} main\n"
        )
        self.options = [
            f"-oDir::Etc::SourceList={folder / 'sources.list'}",
            "-oDir::Etc::SourceParts=/dev/null",
            f"-oDir::Etc::Preferences={folder / 'preferences'}",
            f"-oDir::Etc::PreferencesParts={folder / 'preferences.d'}",
            f"-oDir::State::Lists={folder / 'lists'}",
            f"-oDir::State::status={folder / 'status'}",
            f"-oDir::Cache={folder / 'cache'}",
            "-oAcquire::Languages=none",
            "-oDebug::NoLocking=1",
            "-oAPT::Sandbox::User=root",  # our folder belongs to us, not to _apt
        ]

    def run(self, tool: str, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            [tool, *self.options, *args],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
            raise ProvisionError(f"{tool} {' '.join(args[:3])} failed: {' / '.join(detail)}")
        return done.stdout

    def show(self, names: list[str]) -> dict[str, Package]:
        """The index records of ``names`` (the candidate version of each)."""
        text = self.run("apt-cache", "show", "--no-all-versions", *names)
        found = {}
        for record in text.strip().split("\n\n"):
            fields = _fields(record)
            if "Package" in fields:
                depends = ", ".join(
                    filter(None, (fields.get("Pre-Depends"), fields.get("Depends")))
                )
                found[fields["Package"]] = Package(
                    name=fields["Package"],
                    version=fields["Version"],
                    filename=fields["Filename"],
                    sha256=fields["SHA256"],
                    size=int(fields["Size"]),
                    # The first alternative of each dependency, without its version bound.
                    depends=tuple(
                        d.split("|")[0].split("(")[0].split(":")[0].strip()
                        for d in depends.split(",")
                        if d.strip()
                    ),
                )
        return found


def _fields(record: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    for line in record.splitlines():
        if line.startswith((" ", "\t")) and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _closure(apt: PrivateApt, version: str) -> list[Package]:
    """The interpreter's packages and, transitively, every library package they depend on."""
    wanted = [name.format(v=version) for name in PACKAGES]
    try:
        known = apt.show(wanted)
    except ProvisionError as exc:
        raise Unavailable(
            f"Debian's {SUITE} suite has no CPython {version} packages ({exc.message})"
        ) from None
    pending = [d for p in known.values() for d in p.depends]
    while pending:
        batch = sorted({d for d in pending if d not in known and _LIBRARY.match(d)})
        pending = []
        if batch:
            more = apt.show(batch)
            known.update(more)
            pending = [d for p in more.values() for d in p.depends]
    return sorted(known.values(), key=lambda p: p.name)


def _compile_stdlib(root: Path, version: str) -> None:
    """Byte-compile the standard library, as Debian's own installation does (the packages ship
    no .pyc): without it every run compiles what it imports, and a plain run of the seed program
    took 287 ms on 3.14 instead of 90. Run inside the root, with the library writable there, the
    paths recorded in the .pyc files those the interpreter sees (``-d /usr/lib/python3.X``)."""
    library = root / "usr" / "lib" / f"python{version}"
    command = rooted_command(
        str(root),
        [f"/usr/bin/python{version}", "-m", "compileall", "-q", "-j", "0",
         "-d", f"/usr/lib/python{version}", str(library)],
        writable=[str(library)],
    )  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        # Some test or demo files may not compile on purpose; the rest is compiled.
        failures = [line for line in done.stdout.splitlines() if line.startswith("***")]
        if not failures or len(failures) > 20:
            raise ProvisionError(f"compiling CPython {version}'s library failed: {done.stdout}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install(
    versions: list[str],
    *,
    report: Callable[[str], None] = lambda _line: None,
    skip_unavailable: bool = False,
) -> list[Interpreter]:
    """Download, unpack and check each CPython version; returns the interpreters, ready to use.
    One private apt state serves them all (the index is read once). With ``skip_unavailable``,
    a version Debian does not carry is reported and skipped instead of failing."""
    dpkg = shutil.which("dpkg-deb")
    if not can_provision() or dpkg is None:
        raise ProvisionError(
            "provisioning needs a Debian-family machine (apt-get, dpkg-deb and "
            f"{KEYRING}); install CPython {', '.join(versions)} with uv or pyenv instead"
        )
    base = pythons_dir()
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".apt-", dir=base) as state:
        uri = mirror()
        apt = PrivateApt(Path(state), uri)
        report(f"reading Debian's {SUITE} index from {uri}")
        apt.run("apt-get", "update", "-qq")
        done = []
        for version in versions:
            try:
                done.append(_install_one(apt, dpkg, version, report))
            except Unavailable as exc:
                if not skip_unavailable:
                    raise
                report(f"{version}: skipped: {exc.message}")
        return done


def _install_one(
    apt: PrivateApt, dpkg: str, version: str, report: Callable[[str], None]
) -> Interpreter:
    started = time.monotonic()
    base = pythons_dir()
    packages = _closure(apt, version)
    with tempfile.TemporaryDirectory(prefix=f".{version}-", dir=base) as folder:
        work = Path(folder)
        debs = work / "debs"
        debs.mkdir()
        report(f"{version}: downloading {len(packages)} packages")
        apt.run(
            "apt-get", "download", "-qq", *(f"{p.name}={p.version}" for p in packages), cwd=debs
        )
        staged = work / "staged"
        root = staged / "root"
        root.mkdir(parents=True)
        for package in packages:
            matches = list(debs.glob(f"{package.name}_*.deb"))
            if len(matches) != 1 or _sha256(matches[0]) != package.sha256:
                raise ProvisionError(f"{package.name}: the download does not match the index")
            done = subprocess.run(
                [dpkg, "-x", str(matches[0]), str(root)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if done.returncode != 0:
                raise ProvisionError(f"dpkg-deb could not unpack {package.name}: {done.stderr}")
        executable = root / "usr" / "bin" / f"python{version}"
        _compile_stdlib(root, version)
        said = ask(Candidate(str(executable), "deepcuts", str(root)))
        if isinstance(said, str) or not str(said["full_version"]).startswith(version + "."):
            raise ProvisionError(f"the unpacked CPython {version} does not run: {said}")
        size = sum(p.size for p in packages)
        manifest = {
            "version": said["full_version"],
            "suite": SUITE,
            "mirror": apt.mirror,
            "bytes": size,
            "packages": [
                {"package": p.name, "version": p.version, "sha256": p.sha256} for p in packages
            ],
        }
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=1))
        target = base / version
        if target.exists():  # replaced whole: move the old one aside first, then remove it
            old = work / "old"
            target.rename(old)
        staged.rename(target)
    report(
        f"{version}: CPython {said['full_version']} in {target} "
        f"({size / 1e6:.1f} MB of packages, {time.monotonic() - started:.1f} s)"
    )
    found = inspect(
        Candidate(str(target / "root" / "usr" / "bin" / f"python{version}"), "deepcuts",
                  str(target / "root"))
    )  # fmt: skip
    if not isinstance(found, Interpreter):
        raise ProvisionError(f"CPython {version} does not run from {target}: {found}")
    return found
