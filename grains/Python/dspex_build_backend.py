"""The PEP 517 build backend of the dspex package, standard library only, so ``pip install ./grains/Python`` (or the
``python/`` folder of the DSPex.Orleans.Hosting package) builds offline, with build isolation, in a fresh virtual
environment: pyproject.toml names this module (``build-backend``, ``backend-path = ["."]``) and requires nothing.

It writes only into the folder pip gives it (never ``build/`` or ``*.egg-info`` in the source tree, which a later
``dotnet pack`` would ship). What goes in the wheel is declared in pyproject.toml's ``[tool.dspex-build]``: packages
(their ``.py`` files and ``package-data`` patterns) and single modules. Metadata comes from ``[project]``.

Hooks: build_wheel, build_sdist, build_editable (PEP 660: a .pth file pointing at this folder), their
get_requires_* (none) and prepare_metadata_for_build_wheel / _editable.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from typing import Any, Optional

ROOT = os.path.dirname(os.path.abspath(__file__))
TAG = "py3-none-any"
# Zip entries carry a timestamp: a fixed one (or SOURCE_DATE_EPOCH) makes the same sources the same wheel.
_EPOCH_1980 = 315532800


# --- pyproject.toml --------------------------------------------------------------------------------------------------

def _load_pyproject(path: str) -> dict[str, Any]:
    with open(path, "rb") as file:
        data = file.read()
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # Python 3.10: the subset of TOML our own pyproject.toml uses
        return parse_simple_toml(data.decode("utf-8"))
    return tomllib.loads(data.decode("utf-8"))


_TABLE = re.compile(r"\[([A-Za-z0-9_.\-]+)\]\Z")
_KEY = re.compile(r"([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*")


def parse_simple_toml(text: str) -> dict[str, Any]:
    """Reads the TOML subset pyproject.toml here uses: [tables] (dotted names), key = value with values being basic
    strings, arrays of strings (possibly over several lines) and inline tables of strings. Anything else raises
    ValueError naming the line, so the file can never be read differently from how tomllib reads it."""
    result: dict[str, Any] = {}
    table = result
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = _strip_comment(lines[index]).strip()
        index += 1
        if not line:
            continue
        header = _TABLE.match(line)
        if header:
            table = result
            for part in header.group(1).split("."):
                table = table.setdefault(part, {})
            continue
        key_match = _KEY.match(line)
        if not key_match:
            raise ValueError("pyproject.toml line %d is not 'key = value': %r" % (index, line))
        key = key_match.group(1).strip('"')
        value_text = line[key_match.end():]
        while value_text.count("[") > value_text.count("]") and index < len(lines):  # an array over several lines
            value_text += " " + _strip_comment(lines[index]).strip()
            index += 1
        value, rest = _value(value_text.strip(), index)
        if rest.strip():
            raise ValueError("pyproject.toml line %d has text after its value: %r" % (index, rest))
        table[key] = value
    return result


def _strip_comment(line: str) -> str:
    quoted = False
    for position, char in enumerate(line):
        if char == '"' and (position == 0 or line[position - 1] != "\\"):
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:position]
    return line


def _value(text: str, line: int) -> tuple[Any, str]:
    if text.startswith('"'):
        match = re.match(r'"((?:[^"\\]|\\.)*)"', text)
        if not match:
            raise ValueError("pyproject.toml line %d: unterminated string" % line)
        raw = match.group(1)
        if "\\" in raw and re.search(r"\\[^\"\\]", raw):
            raise ValueError("pyproject.toml line %d: escapes other than \\\" and \\\\ are not read here" % line)
        return raw.replace('\\"', '"').replace("\\\\", "\\"), text[match.end():]
    if text.startswith("["):
        items: list[Any] = []
        rest = text[1:].lstrip()
        while not rest.startswith("]"):
            item, rest = _value(rest, line)
            items.append(item)
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:].lstrip()
            elif not rest.startswith("]"):
                raise ValueError("pyproject.toml line %d: expected ',' or ']' in an array" % line)
        return items, rest[1:]
    if text.startswith("{"):
        table: dict[str, Any] = {}
        rest = text[1:].lstrip()
        while not rest.startswith("}"):
            key_match = _KEY.match(rest)
            if not key_match:
                raise ValueError("pyproject.toml line %d: expected 'key = value' in an inline table" % line)
            item, rest = _value(rest[key_match.end():], line)
            table[key_match.group(1).strip('"')] = item
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:].lstrip()
            elif not rest.startswith("}"):
                raise ValueError("pyproject.toml line %d: expected ',' or '}' in an inline table" % line)
        return table, rest[1:]
    raise ValueError("pyproject.toml line %d: only strings, arrays and inline tables are read here: %r" % (line, text))


class Project:
    """What the build needs from pyproject.toml: the [project] metadata and the files [tool.dspex-build] names."""

    def __init__(self, root: str = ROOT) -> None:
        self.root = root
        data = _load_pyproject(os.path.join(root, "pyproject.toml"))
        self.meta: dict[str, Any] = data["project"]
        build = data.get("tool", {}).get("dspex-build", {})
        self.packages: list[str] = list(build.get("packages", []))
        self.modules: list[str] = list(build.get("modules", []))
        self.package_data: list[str] = list(build.get("package-data", []))
        self.sdist_extra: list[str] = list(build.get("sdist-include", []))
        self.name: str = self.meta["name"]
        self.version: str = self.meta["version"]
        # Wheel and dist-info names: runs of -_. become _ (the binary distribution format's escaping).
        self.dist_name = re.sub(r"[-_.]+", "_", self.name)

    def wheel_files(self) -> list[tuple[str, str]]:
        """(path in the wheel, file on disk) for every module and package file, sorted; never a __pycache__."""
        files: list[tuple[str, str]] = []
        for module in self.modules:
            files.append((module + ".py", os.path.join(self.root, module + ".py")))
        for package in self.packages:
            top = os.path.join(self.root, *package.split("."))
            for folder, subfolders, names in os.walk(top):
                subfolders[:] = sorted(d for d in subfolders if d != "__pycache__" and os.path.isfile(os.path.join(folder, d, "__init__.py")))
                for name in sorted(names):
                    if name.endswith(".py") or any(fnmatch.fnmatch(name, pattern) for pattern in self.package_data):
                        path = os.path.join(folder, name)
                        files.append((os.path.relpath(path, self.root).replace(os.sep, "/"), path))
        missing = [disk for _, disk in files if not os.path.isfile(disk)]
        if missing:
            raise FileNotFoundError("pyproject.toml [tool.dspex-build] names files that do not exist: %s" % ", ".join(missing))
        return sorted(files)

    def metadata(self) -> str:
        """The core metadata (METADATA / PKG-INFO), version 2.1, with the README as its long description."""
        meta = self.meta
        lines = ["Metadata-Version: 2.1", "Name: " + self.name, "Version: " + self.version]
        if meta.get("description"):
            lines.append("Summary: " + meta["description"])
        license_ = meta.get("license")
        if isinstance(license_, dict) and license_.get("text"):
            lines.append("License: " + license_["text"])
        if meta.get("requires-python"):
            lines.append("Requires-Python: " + meta["requires-python"])
        for dependency in meta.get("dependencies", []):
            lines.append("Requires-Dist: " + dependency)
        for classifier in meta.get("classifiers", []):
            lines.append("Classifier: " + classifier)
        for label, url in meta.get("urls", {}).items():
            lines.append("Project-URL: %s, %s" % (label, url))
        text = "\n".join(lines) + "\n"
        readme = meta.get("readme")
        if isinstance(readme, str):
            with open(os.path.join(self.root, readme), "r", encoding="utf-8") as file:
                body = file.read()
            content_type = "text/markdown" if readme.lower().endswith(".md") else "text/plain"
            text += "Description-Content-Type: %s\n\n%s" % (content_type, body)
        return text

    def dist_info(self) -> str:
        return "%s-%s.dist-info" % (self.dist_name, self.version)

    def wheel_name(self) -> str:
        return "%s-%s-%s.whl" % (self.dist_name, self.version, TAG)


# --- writing -------------------------------------------------------------------------------------------------------

def _epoch() -> int:
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", _EPOCH_1980)), _EPOCH_1980)


def _timestamp() -> tuple[int, int, int, int, int, int]:
    return time.gmtime(_epoch())[:6]


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


class _Wheel:
    """A wheel being written: every entry is hashed into RECORD, which is written last."""

    def __init__(self, path: str, dist_info: str) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self._dist_info = dist_info
        self._records: list[str] = []

    def add(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=_timestamp())
        info.external_attr = (0o100644 & 0xFFFF) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        self._records.append("%s,%s,%d" % (name, _record_hash(data), len(data)))

    def close(self) -> None:
        record = self._dist_info + "/RECORD"
        body = "\n".join(self._records + [record + ",,"]) + "\n"
        info = zipfile.ZipInfo(record, date_time=_timestamp())
        info.external_attr = (0o100644 & 0xFFFF) << 16
        self._zip.writestr(info, body.encode("utf-8"))
        self._zip.close()


def _dist_info_files(project: Project) -> list[tuple[str, bytes]]:
    wheel = "Wheel-Version: 1.0\nGenerator: dspex_build_backend\nRoot-Is-Purelib: true\nTag: %s\n" % TAG
    top_level = "\n".join(project.packages + project.modules) + "\n"
    return [("METADATA", project.metadata().encode("utf-8")), ("WHEEL", wheel.encode("utf-8")),
            ("top_level.txt", top_level.encode("utf-8"))]


def _write_wheel(wheel_directory: str, project: Project, contents: list[tuple[str, bytes]]) -> str:
    name = project.wheel_name()
    os.makedirs(wheel_directory, exist_ok=True)
    wheel = _Wheel(os.path.join(wheel_directory, name), project.dist_info())
    try:
        for path, data in contents:
            wheel.add(path, data)
        for file_name, data in _dist_info_files(project):
            wheel.add(project.dist_info() + "/" + file_name, data)
    finally:
        wheel.close()
    return name


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


# --- PEP 517 / PEP 660 hooks -----------------------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict[str, Any]] = None) -> str:
    project = Project()
    folder = os.path.join(metadata_directory, project.dist_info())
    os.makedirs(folder, exist_ok=True)
    for file_name, data in _dist_info_files(project):
        with open(os.path.join(folder, file_name), "wb") as file:
            file.write(data)
    return project.dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    project = Project()
    return _write_wheel(wheel_directory, project, [(path, _read(disk)) for path, disk in project.wheel_files()])


def build_editable(wheel_directory: str, config_settings: Optional[dict[str, Any]] = None,
                   metadata_directory: Optional[str] = None) -> str:
    """An editable install: a .pth file that puts this folder on sys.path, so edits here are seen at once."""
    project = Project()
    pth = (project.root + "\n").encode("utf-8")
    return _write_wheel(wheel_directory, project, [("_%s_editable.pth" % project.dist_name, pth)])


def build_sdist(sdist_directory: str, config_settings: Optional[dict[str, Any]] = None) -> str:
    """A source archive of what the wheel holds plus pyproject.toml, the README and this backend."""
    project = Project()
    base = "%s-%s" % (project.dist_name, project.version)
    name = base + ".tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    entries = [(path, _read(disk)) for path, disk in project.wheel_files()]
    for extra in ["pyproject.toml", os.path.basename(__file__)] + project.sdist_extra:
        entries.append((extra, _read(os.path.join(project.root, extra))))
    entries.append(("PKG-INFO", project.metadata().encode("utf-8")))
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path, data in sorted(set(entries)):
            info = tarfile.TarInfo("%s/%s" % (base, path))
            info.size = len(data)
            info.mode = 0o644
            info.mtime = _epoch()
            archive.addfile(info, io.BytesIO(data))
    return name
