"""Checks that the running interpreter has exactly what requirement files pin.

    python scripts/venv_check.py REQUIREMENTS... [--record FILE | --frozen FILE | --syntax]

Every requirement line must pin one version (``name==version``): a venv is
only as reproducible as its loosest line. A ``# python: X.Y`` line names the
interpreter version the file is for, and ``# import: a b`` lines name
modules that must import. With ``--record FILE`` the full list of installed
distributions is written after the checks pass; with ``--frozen FILE`` it
must still be exactly that list, so a venv changed by hand (a package added,
upgraded or removed) fails the check and is rebuilt, never trusted.

Exit status: 0 when everything holds; 1 listing every miss; 2 for a
requirements file that is not of this form.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


class MalformedRequirements(Exception):
    """A requirements file this checker cannot vouch for."""


@dataclass
class Requirements:
    """What a set of requirement files asks of an interpreter."""

    pins: dict[str, str] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)
    python: str | None = None


def normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(paths: list[Path]) -> Requirements:
    wanted = Requirements()
    for path in paths:
        for number, raw in enumerate(path.read_text().splitlines(), 1):
            line = raw.strip()
            if line.startswith("# python:"):
                wanted.python = line.split(":", 1)[1].strip()
            elif line.startswith("# import:"):
                wanted.imports += line.split(":", 1)[1].split()
            elif line and not line.startswith("#"):
                pin = PIN.match(line)
                if not pin:
                    raise MalformedRequirements(f"{path}:{number}: {line!r} does not pin one version (name==version)")
                wanted.pins[normalize(pin[1])] = pin[2]
    return wanted


def installed() -> dict[str, str]:
    """Every distribution this interpreter sees, by normalized name."""
    return {normalize(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}


def misses(wanted: Requirements, have: dict[str, str]) -> list[str]:
    """What the interpreter lacks, one line each (empty when nothing)."""
    found = []
    running = "%d.%d" % sys.version_info[:2]
    if wanted.python and wanted.python != running:
        found.append(f"python {wanted.python} is required, this is {running}")
    for name, version in wanted.pins.items():
        if name not in have:
            found.append(f"{name}=={version} is not installed")
        elif have[name] != version:
            found.append(f"{name}=={version} is required, {have[name]} is installed")
    for module in wanted.imports:
        try:
            importlib.import_module(module)
        except Exception as e:  # any failure to import is a miss
            found.append(f"import {module} fails: {type(e).__name__}: {e}")
    return found


def frozen_list(have: dict[str, str]) -> str:
    return "".join(f"{name}=={version}\n" for name, version in sorted(have.items()))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", nargs="+", type=Path)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--record", type=Path, help="write the installed distributions here once the checks pass")
    group.add_argument("--frozen", type=Path, help="fail unless the installed distributions are exactly these")
    group.add_argument("--syntax", action="store_true", help="only check that the files pin every line")
    args = parser.parse_args(argv)
    try:
        wanted = parse(args.requirements)
    except (MalformedRequirements, OSError) as e:
        print(f"venv_check: {e}", file=sys.stderr)
        return 2
    if args.syntax:
        return 0
    have = installed()
    found = misses(wanted, have)
    if args.frozen is not None:
        recorded = args.frozen.read_text() if args.frozen.exists() else None
        if recorded != frozen_list(have):
            found.append(f"the installed packages differ from those recorded in {args.frozen} (changed by hand?)")
    for line in found:
        print(f"venv_check: {line}", file=sys.stderr)
    if not found and args.record is not None:
        args.record.write_text(frozen_list(have))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
