"""Reading an extract refuses broken input with a message naming file, line and problem."""
import hashlib
import shutil

import pandas as pd
import pytest

from helpers import paths
from helpers.sources import ExtractError, manifest, read_all, read_extract

NAME = "gdp_a"
UNIT = "亿元"


@pytest.fixture
def raw(tmp_path):
    """A copy of data/raw to break."""
    shutil.copytree(paths.RAW, tmp_path / "raw")
    return tmp_path / "raw"


def rewrite(raw, name, edit):
    """Apply `edit` to the CSV text of an extract and refresh its manifest checksum, so that only
    the content check can object."""
    path = raw / f"{name}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    table = pd.read_csv(raw / "MANIFEST.csv", dtype=str, keep_default_na=False)
    table.loc[table["name"] == name, "sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    table.to_csv(raw / "MANIFEST.csv", index=False, lineterminator="\n")


def lines(text):
    return text.splitlines(keepends=True)


def set_value(row, value):
    """An edit for `rewrite`: the value of data row `row` (0 = header) becomes value(old)."""
    def edit(text):
        rows = lines(text)
        province, year, old = rows[row].rstrip("\n").split(",")
        rows[row] = f"{province},{year},{value(old)}\n"
        return "".join(rows)
    return edit


def test_every_shipped_extract_reads_clean():
    extracts = read_all()
    assert len(extracts) == len(manifest())
    for frame in extracts.values():
        assert list(frame.columns) == ["province", "year", "value"]


def test_duplicated_province_year(raw):
    rewrite(raw, NAME, lambda t: t + lines(t)[1])
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: duplicated province-year \(Beijing, 1952\)"):
        read_extract(NAME, UNIT, folder=raw)


def test_unknown_province(raw):
    rewrite(raw, NAME, lambda t: t.replace("Beijing,1952", "Atlantis,1952", 1))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 2: unknown province 'Atlantis'"):
        read_extract(NAME, UNIT, folder=raw)


def test_text_in_numeric_column(raw):
    rewrite(raw, NAME, set_value(3, lambda old: "n/a"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 4: value 'n/a' is not a number"):
        read_extract(NAME, UNIT, folder=raw)


def test_missing_column(raw):
    rewrite(raw, NAME, lambda t: "".join(r.rsplit(",", 1)[0] + "\n" for r in lines(t)))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: columns are \['province', 'year'\].*missing value"):
        read_extract(NAME, UNIT, folder=raw)


def test_negative_gdp(raw):
    rewrite(raw, NAME, set_value(5, lambda old: f"-{old}"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 6: negative value -[\d.]+ for \(Beijing, 1956\)"):
        read_extract(NAME, UNIT, folder=raw)


def test_checksum_mismatch(raw):
    path = raw / f"{NAME}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("16251.93", "16251.94"), encoding="utf-8")
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: checksum .* does not match the manifest"):
        read_extract(NAME, UNIT, folder=raw)


def test_missing_extract_and_unknown_series(raw):
    (raw / f"{NAME}.csv").unlink()
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: the extract is missing.*make extract"):
        read_extract(NAME, UNIT, folder=raw)
    with pytest.raises(ExtractError, match="no series 'gdp_z'"):
        read_extract("gdp_z", UNIT, folder=raw)


def test_wrong_unit(raw):
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: unit is '亿元' in the manifest, the caller expects '万元'"):
        read_extract(NAME, unit="万元", folder=raw)
    assert len(read_extract(NAME, unit=UNIT, folder=raw)) > 0


def test_spot_check_rounds_at_printed_decimals():
    from helpers.sources import spot_check
    extracts = {"s": pd.DataFrame({"province": ["Beijing"], "year": [2011], "value": [923.4]})}
    printed = pd.DataFrame({"series": ["s", "s", "s"], "province": ["Beijing"] * 3, "year": [2011] * 3,
                            "printed": ["923", "923.4", "923.5"]})
    assert spot_check(extracts, printed)["match"].tolist() == [True, True, False]
