"""scripts/venv_check.py, the check every venv the tests use must pass: it
must report what is missing, never vouch for a package that is not there."""

import importlib.metadata
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "venv_check.py"
PYTEST_VERSION = importlib.metadata.version("pytest")
RUNNING = "%d.%d" % sys.version_info[:2]


def check(tmp_path, text, *extra):
    req = tmp_path / "requirements.txt"
    req.write_text(text)
    return subprocess.run([sys.executable, str(CHECK), str(req), *extra], capture_output=True, text=True)


def test_a_package_that_is_not_installed_fails_and_is_named(tmp_path):
    out = check(tmp_path, f"pytest=={PYTEST_VERSION}\nno-such-package-bmcp==1.0\n")
    assert out.returncode == 1
    assert "no-such-package-bmcp==1.0 is not installed" in out.stderr
    assert "pytest" not in out.stderr


def test_another_version_than_the_pin_fails(tmp_path):
    out = check(tmp_path, "pytest==0.0.1\n")
    assert out.returncode == 1
    assert f"pytest==0.0.1 is required, {PYTEST_VERSION} is installed" in out.stderr


def test_names_are_compared_as_pip_does(tmp_path):
    assert check(tmp_path, f"PyTest=={PYTEST_VERSION}\n# python: {RUNNING}\n# import: pytest json\n").returncode == 0


def test_an_unpinned_line_is_refused_before_anything_is_checked(tmp_path):
    out = check(tmp_path, "pytest>=1\n")
    assert out.returncode == 2 and "does not pin one version" in out.stderr
    assert check(tmp_path, "pytest>=1\n", "--syntax").returncode == 2
    assert check(tmp_path, "pytest==1\n", "--syntax").returncode == 0


def test_an_import_that_fails_and_another_python_fail(tmp_path):
    out = check(tmp_path, "# import: no_such_module_bmcp\n# python: 2.7\n")
    assert out.returncode == 1
    assert "import no_such_module_bmcp fails: ModuleNotFoundError" in out.stderr
    assert f"python 2.7 is required, this is {RUNNING}" in out.stderr


def test_a_venv_changed_after_it_was_recorded_fails(tmp_path):
    record = tmp_path / "record"
    assert check(tmp_path, f"pytest=={PYTEST_VERSION}\n", "--record", str(record)).returncode == 0
    assert f"pytest=={PYTEST_VERSION}\n" in record.read_text()
    assert check(tmp_path, f"pytest=={PYTEST_VERSION}\n", "--frozen", str(record)).returncode == 0
    # What a hand-made `pip install` or `pip uninstall` looks like to the check.
    record.write_text(record.read_text() + "left-by-hand==1.0\n")
    out = check(tmp_path, f"pytest=={PYTEST_VERSION}\n", "--frozen", str(record))
    assert out.returncode == 1 and "changed by hand" in out.stderr
    out = check(tmp_path, f"pytest=={PYTEST_VERSION}\n", "--frozen", str(tmp_path / "never-recorded"))
    assert out.returncode == 1


def test_the_projects_requirement_files_pin_every_line(tmp_path):
    files = sorted((ROOT / "requirements").glob("*.txt"))
    assert len(files) >= 4
    for path in files:
        out = subprocess.run([sys.executable, str(CHECK), str(path), "--syntax"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
