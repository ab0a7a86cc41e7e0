"""``curbside registry import`` as operators run it: a real process, real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from node.verification.progress import ProgressBar
from tests.node.test_cli import assert_one_line_error, curbside
from tests.node.verification.support import CSV_MAPPING, standard_register
from verification.registers import synthetic


def init(folder: Path, database_url: str | None = None) -> Path:
    args = ["init", str(folder), "--domain", "127.0.0.1:8199", "--country", "US"]
    args.append("--insecure-http")
    if database_url is not None and not database_url.startswith("sqlite"):
        args += ["--database-url", database_url]
    result = curbside(*args)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str) -> Path:
    return init(tmp_path / "node", database_url)


def test_import_then_import_again(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "npidata_pfile.csv"
    synthetic.write_nppes(path, 2_000, seed=5)
    result = curbside("registry", "import", str(data_dir), str(path), "--format", "nppes")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    [paragraph] = result.stdout.strip().splitlines()
    assert paragraph.startswith("Imported the nppes register (nppes) from npidata_pfile.csv")
    assert "Read 2,000 rows" in paragraph
    assert "(first complete import of this register)" in paragraph
    assert "0 malformed rows" in paragraph
    again = curbside("registry", "import", str(data_dir), str(path), "--format", "nppes")
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed and 0 gone since import #1" in again.stdout
    assert "Members: 0 suspended and 0 restored" in again.stdout


def test_csv_with_mapping_and_malformed_rows(data_dir: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "gmc.toml"
    mapping.write_text(CSV_MAPPING, encoding="utf-8")
    path = tmp_path / "gmc.csv"
    path.write_text(
        "Number;Surname;Forenames;Specialty;Status\n"
        "7012345;Okafor;Chidi;;active\n"
        "7012346;Broken\n"
        ";Nobody;;;active\n",
        encoding="utf-8",
    )
    result = curbside(
        "registry", "import", str(data_dir), str(path), "--format", "csv",
        "--mapping", str(mapping), "--register", "gmc",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Imported the gmc register (csv)")
    assert "2 malformed rows" in lines[0]
    assert lines[1:] == [
        "Malformed rows:",
        "  line 3: expected 5 fields, found 2",
        "  line 4: empty Number",
    ]


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    # Argument checks come before the database, so one (SQLite) node is enough.
    folder = str(init(tmp_path / "node"))
    register = standard_register(tmp_path / "npidata.csv")
    result = curbside("registry", "import", folder, str(register), "--format", "xml")
    # argparse's own one line, as for every command's usage errors.
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("curbside registry import: error: argument --format: invalid choice")
    bad_mapping = tmp_path / "bad.toml"
    bad_mapping.write_text("[columns]\nfamily_name = 'Surname'\n", encoding="utf-8")
    result = curbside(
        "registry", "import", folder, str(register), "--format", "csv", "--mapping",
        str(bad_mapping),
    )  # fmt: skip
    assert_one_line_error(result, "needs licence_id")
    result = curbside("registry", "import", folder, str(register), "--format", "csv")
    assert_one_line_error(result, "needs a mapping file (--mapping)")
    result = curbside(
        "registry", "import", folder, str(register), "--format", "nppes", "--mapping",
        str(bad_mapping),
    )  # fmt: skip
    assert_one_line_error(result, "takes no mapping file")
    result = curbside(
        "registry", "import", folder, str(register), "--format", "csv", "--mapping",
        str(tmp_path / "missing.toml"),
    )  # fmt: skip
    assert_one_line_error(result, "missing.toml: no such file")
    result = curbside("registry", "import", folder, str(tmp_path / "nope.csv"), "--format", "rpps")
    assert_one_line_error(result, "nope.csv: no such file")
    result = curbside("registry", "import", folder, str(register), "--format", "rpps")
    assert_one_line_error(result, "the header lacks columns")
    result = curbside(
        "registry", "import", folder, str(register), "--format", "nppes", "--register", "Bad Name"
    )
    assert_one_line_error(result, "--register 'Bad Name'")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_only_on_a_terminal() -> None:
    terminal = Terminal()
    bar = ProgressBar(terminal, 2_000_000, "nppes")
    bar(1_000_000, 5_000)
    bar(2_000_000, 10_000)
    bar.close()
    text = terminal.getvalue()
    assert text.startswith("\rnppes [")
    assert " 50.0% 1.0 MB / 2.0 MB  5,000 rows" in text
    assert "100.0% 2.0 MB / 2.0 MB  10,000 rows" in text
    assert text.endswith("\n")
    piped = io.StringIO()
    quiet = ProgressBar(piped, 100, "nppes")
    quiet(100, 1)
    quiet.close()
    assert piped.getvalue() == ""
