"""Reading and writing the compendium's files. Every input is read with an error that names the file,
the line and what to do; every output is written atomically with the usual permissions."""
import csv
import hashlib
import io
import json
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths


class InputError(ValueError):
    """An input file that cannot be read as it should be; the message names it and says what to do."""


def csv_bytes(frame: pd.DataFrame, digits: int | None = None) -> bytes:
    """UTF-8 CSV without the index, '\\n' line ends; floats with `digits` significant digits (so that
    reruns on other machines give the same file), or the shortest round trip if None."""
    fmt = None if digits is None else f"%.{digits}g"
    return frame.to_csv(index=False, lineterminator="\n", float_format=fmt).encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `path`, created like any new file (mode 0o666 less
    the umask), flushed to disk, then renamed over `path`: never a half-written file."""
    atomic_write_all({path: data})


def atomic_write_all(files: dict[Path, bytes]) -> None:
    """atomic_write of several files that belong together (a table's formats, the panel and its
    codebook): every temporary file is written and flushed before any is renamed, so that an error
    or a full disk while writing leaves all of them in their old form; only a crash between the
    renames, which take microseconds, could leave some old and some new."""
    temporary = {}
    try:
        for path, data in files.items():
            path = Path(path)
            tmp = temporary[path] = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for path, tmp in temporary.items():
            os.replace(tmp, path)
    except BaseException:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        raise


def normalised(data: bytes) -> bytes:
    """Bytes with '\\r\\n' and bare '\\r' line ends turned into '\\n' (a checkout with core.autocrlf=true,
    or a copy saved on Windows or by an old Mac program, reads as the file it was made from)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def sha256(data: bytes) -> str:
    """sha256 of bytes over normalised line ends: the checksum the manifest records and checks."""
    return hashlib.sha256(normalised(data)).hexdigest()


def digest(path: Path) -> str:
    """sha256 of a file over normalised line ends."""
    return sha256(Path(path).read_bytes())


def missing(path: Path, fix: str) -> InputError:
    """The error for a missing input: the notebook that writes it, if one does, and how to get it where
    it is read: in place, by running that notebook or restoring the committed file; in a folder of runs
    outside the runner (JupyterLab, papermill), by running it there or restoring the committed file the
    folder copies (paths.keep_seeded); in a folder of the runner's, through the runner. Else `fix`."""
    stem = paths.producer(path)
    if not stem:
        return InputError(f"{path}: the file is missing. {fix}")
    resolved = Path(path).resolve()
    committed = next((name for name in paths.inputs() if resolved.as_posix().endswith(f"/{name}")), None)
    restore = f", or restore the committed file: git checkout -- {committed}" if committed else ""
    if paths.ROOT in resolved.parents and paths.BUILD not in resolved.parents:
        where = f"run that notebook first (make reproduce){restore}."
    elif not os.environ.get(paths.OUT_VARIABLE):
        where = f"run that notebook here first{restore}, which a notebook run here then copies."
    else:
        where = ("a folder of a run's own gets it from the runner, which copies it or runs that notebook there: "
                 f"{paths.RUNNER} --only <notebook> --out <folder>.")
    return InputError(f"{path}: the file is missing. notebooks/{stem}.ipynb writes it; {where}")


def read_text(path: Path, fix: str) -> str:
    """The text of a UTF-8 file (a byte-order mark allowed) with '\\n' line ends. A missing file (named
    with the notebook that writes it, if one does), an empty file or bytes that are not UTF-8 (e.g.
    GBK, as saved by a Chinese-locale spreadsheet) are an InputError naming the file and line; `fix`
    says what to do."""
    path = Path(path)
    if not path.is_file():
        raise missing(path, fix)
    data = normalised(path.read_bytes())
    if not data.strip():
        raise InputError(f"{path}: the file is empty. {fix}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: bytes that are not UTF-8 (GBK or another legacy "
                         f"encoding?); save the file as UTF-8. {fix}") from None


def first_row(bad) -> int | None:
    """The position of the first row where the boolean array or Series `bad` holds (None if none):
    the row a check of a table names."""
    hits = np.flatnonzero(np.asarray(bad, dtype=bool))
    return int(hits[0]) if len(hits) else None


def read_record(path: Path, fix: str) -> dict:
    """A JSON object (a settings record beside an export) from a UTF-8 file (read_text); text that is
    not JSON, or JSON that is not an object, is an InputError naming the file (and the line)."""
    text = read_text(path, fix)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}, line {error.lineno}: not JSON ({error.msg}). {fix}") from None
    if not isinstance(record, dict):
        raise InputError(f"{path}: a JSON {type(record).__name__}, not a record of settings. {fix}")
    return record


def _checked(path: Path, fix: str) -> tuple[str, list[str], list[list[str]]]:
    """The text of a CSV file, its header and its rows, after read_csv's checks."""
    text = read_text(path, fix)
    reader = csv.reader(io.StringIO(text))
    header, rows, blank = next(reader), [], None
    for row in reader:
        if not row:
            blank = blank or reader.line_num
            continue
        if blank:  # the rows after it would be named by the wrong line
            raise InputError(f"{path}, line {blank}: a blank line among the rows; remove it. {fix}")
        if len(row) != len(header):
            problem = ("an unquoted comma, e.g. a thousands separator as in 1,234.5? Quote the value or "
                       "drop the separator" if len(row) > len(header) else "the line is cut short: a truncated file?")
            raise InputError(f"{path}, line {reader.line_num}: {len(row)} fields where the header has "
                             f"{len(header)} ({problem}). {fix}")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: the file has a header but no rows. {fix}")
    return text, header, rows


def read_csv(path: Path, fix: str) -> pd.DataFrame:
    """A CSV file as text cells ('' where empty), read strictly: besides the errors of read_text,
    a file with a header but no rows, a row with more or fewer fields than the header (an unquoted
    thousands separator, a truncated line) or a blank line before the last row (row i is then line
    i + 2, as errors name it) is an InputError naming file and line."""
    _, header, rows = _checked(Path(path), fix)
    return pd.DataFrame(rows, columns=header, dtype=str)


def read_table(path: Path, fix: str, **options) -> pd.DataFrame:
    """A CSV file that passes read_csv's checks, parsed by pandas with its type inference (`options`
    go to pandas.read_csv); the file is read once."""
    text, _, _ = _checked(Path(path), fix)
    return pd.read_csv(io.StringIO(text), **options)
