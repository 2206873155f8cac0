"""make verify's judgement: numbers within a relative tolerance, figures by pixels, a verdict per exhibit."""
import io
import json
import os
import subprocess

import numpy as np
import pytest
from matplotlib import image

from helpers import paths, run, verify
from tests.conftest import needs_x86


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    image.imsave(buffer, pixels, format="png", vmin=0, vmax=1)
    return buffer.getvalue()


def test_numbers_agree_within_the_relative_tolerance_and_text_must_match():
    assert verify.numbers_agree("0.7351234567 (1.49)", "0.7351234568 (1.49)")[0]  # 1.4e-10 relative
    agree, largest = verify.numbers_agree("0.7351", "0.7352")
    assert not agree and largest == pytest.approx(1e-4 / 0.7352)
    assert not verify.numbers_agree("digital 0.735", "virtual 0.735")[0]
    assert verify.numbers_agree("0", "1e-13")[0]  # the absolute floor near zero
    assert verify.numbers_agree("1000000", "1000000.005")[0]  # 5e-9 relative: large numbers, relative tolerance
    assert not verify.numbers_agree("1e-9", "2e-9")[0]  # small numbers: relative too, above the 1e-12 floor


def test_a_csv_with_a_row_or_a_column_more_differs():
    assert verify.compare("t", {".csv": b"a,b\n1,2.0000000001\n"}, {".csv": b"a,b\n1,2\n"})[0] == "within tolerance"
    assert verify.compare("t", {".csv": b"a,b\n1,2\n3,4\n"}, {".csv": b"a,b\n1,2\n"}) == ("different", "csv: text around the numbers differs")
    assert verify.compare("t", {".csv": b"a,b,c\n1,2,3\n"}, {".csv": b"a,b\n1,2\n"})[0] == "different"
    assert verify.compare("t", {".csv": b"a\n12\n"}, {".csv": b"a\n1,2\n"})[0] == "different"


def test_figures_are_judged_by_pixel_rms():
    base = np.zeros((200, 200, 3))
    speck = base.copy()
    speck[5, 5] = 0.5  # one pixel at half intensity in R, G and B; alpha (the 4th channel) unchanged
    agree, rms = verify.figure_agree(png(speck), png(base))
    assert agree and rms == pytest.approx(np.sqrt(3 * 127.5**2 / (200 * 200 * 4)), rel=0.01)
    block = base.copy()
    block[:20] = 1.0
    assert not verify.figure_agree(png(block), png(base))[0]
    wider = png(np.zeros((200, 201, 3)))
    assert not verify.figure_agree(wider, png(base))[0]
    assert verify.compare("f", {".png": wider}, {".png": png(base)}) == ("different", "png: image size differs")


def test_a_file_that_cannot_be_read_or_an_incomplete_pdf_is_different():
    """A damaged file is a difference, not a crash; a PDF, judged by the PNG drawn from the same
    figure, must be a complete PDF."""
    base, pdf = png(np.zeros((10, 10, 3))), b"%PDF-1.4 a\n%%EOF\n"
    assert verify.compare("f", {".png": b"garbage"}, {".png": base}) == \
        ("different", "png: cannot be read (SyntaxError: not a PNG file)")
    assert verify.compare("t", {".csv": b"x\n1\xff\n"}, {".csv": b"x\n1\n"})[1].startswith("csv: cannot be read (UnicodeDecodeError")
    assert verify.compare("f", {".png": base, ".pdf": b"%PDF-1.4 b\n"}, {".png": base, ".pdf": pdf}) == \
        ("different", "not a complete PDF file")
    assert verify.compare("f", {".pdf": b"%PDF-1.4 b\n%%EOF"}, {".pdf": pdf})[0] == "different"


def test_a_verdict_per_exhibit(tmp_path, monkeypatch, capsys):
    committed, rerun = tmp_path / "repo", tmp_path / "rerun"
    base, speck = np.zeros((10, 10, 3)), np.zeros((10, 10, 3))
    speck[5, 5] = 0.01  # a pixel RMS of 0.1
    exhibits = verify.FOLDERS[0]  # the copy's exhibit folder
    files = {f"{exhibits}/{name}": pair for name, pair in {
        "t.csv": (b"x\n1\n", b"x\n1\n"), "u.csv": (b"x\n1\n", b"x\n1.00000000001\n"), "f.png": (png(base), png(speck)),
        "f.pdf": (b"%PDF-1.4 a\n%%EOF\n", b"%PDF-1.4 b\n%%EOF\n"), "v.md": (b"| 0.708 |", b"| 0.735 |"),
        "gone.csv": (b"x\n", None)}.items()}
    for name, (old, new) in files.items():
        for root, data in ((committed, old), (rerun, new)):
            if data is not None:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
    monkeypatch.setattr(paths, "ROOT", committed)
    assert verify.report(rerun) == 2
    lines = capsys.readouterr().out.splitlines()
    verdicts = {line.split()[-1] if "(" not in line else line.split("(")[0].split()[-1]: line for line in lines[1:-1]}
    verdict = {name: verdicts[f"{exhibits}/{name}"] for name in ("t", "u", "f", "v", "gone")}
    assert verdict["t"].split()[0] == "identical"
    assert "within tolerance" in verdict["u"] and "within tolerance" in verdict["f"]
    assert "DIFFERENT" in verdict["v"] and "DIFFERENT" in verdict["gone"]
    assert lines[-1] == "1 identical, 2 within tolerance, 2 different"


def test_the_rerun_is_judged_against_the_commit_not_a_working_tree_make_reproduce_rewrote(tmp_path, monkeypatch, capsys):
    """A checkout whose exhibit was rewritten after its commit (as `make reproduce` on another machine
    does): the rerun is compared with the committed bytes, and the header names the commit."""
    checkout, rerun, name = tmp_path / "repo", tmp_path / "rerun", f"{verify.FOLDERS[0]}/t.csv"
    for root, data in ((checkout, b"x\n1\n"), (rerun, b"x\n1.00000000001\n")):
        (root / name).parent.mkdir(parents=True)
        (root / name).write_bytes(data)
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "exhibit"]):
        subprocess.run([*git, *command], check=True)
    (checkout / name).write_bytes(b"x\n2\n")  # rewritten after the commit
    (checkout / verify.FOLDERS[0] / "new.csv").write_bytes(b"x\n")  # written, never committed
    monkeypatch.setattr(paths, "ROOT", checkout)
    assert verify.report(rerun) == 0
    lines = capsys.readouterr().out.splitlines()
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert f"against the exhibits committed at {commit}" in lines[0]
    assert lines[1:] == [f"  within tolerance  {name[:-4]}  (csv: largest relative difference 1e-11)",
                         "0 identical, 1 within tolerance, 0 different"]


@needs_x86
def test_an_older_cpus_kernels_move_the_last_digits_within_the_tolerance(tmp_path, monkeypatch, repo_unchanged):
    """Notebook 07 rerun with OpenBLAS's SSE3 kernels (--kernels Prescott), as an older CPU computes:
    its estimates differ from the committed ones in the last digits only, which the report calls within
    tolerance; the record names the kernels. The committed table is the thing under test, as in make
    verify: the README says what a replicator on another machine should expect of it."""
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(run, "lock", lambda lock=run.lock: lock(tmp_path))  # not the checkout's: a run may hold it
    out = tmp_path / "prescott"
    run.main(["--only", "07_moderation", "--kernels", "Prescott", "--out", str(out)])
    assert json.loads((out / "run.json").read_text())["blas"]["OPENBLAS_CORETYPE"] == "Prescott"
    exhibit = "figures/table6_estimates"
    new, old = verify.exhibits(verify.written(out))[exhibit], verify.exhibits(verify.committed(paths.ROOT)[0])[exhibit]
    assert new[".csv"] != old[".csv"]  # other kernels ran
    assert verify.compare(exhibit, new, old)[0] == "within tolerance"


def test_the_report_says_when_the_rerun_did_not_finish_or_had_other_settings_or_kernels(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"finished": False, "notebooks_completed": ["01_data"],
                                                   "settings": {"reps": 999, "tfp": "tfp"}}))
    assert verify.caveats(tmp_path) == [
        f"note: {tmp_path}/run.json records a run that did not finish (notebooks completed: 01_data)",
        f"note: {tmp_path}/run.json records settings other than the defaults: {{'reps': 999}}"]
    (tmp_path / "run.json").write_text(json.dumps({"finished": True, "settings": {"tfp": "tfp", "reps": 9999},
                                                   "blas": run.BLAS}))
    assert verify.caveats(tmp_path) == []
    (tmp_path / "run.json").write_text(json.dumps({"blas": {**run.BLAS, "OPENBLAS_CORETYPE": "Prescott"}}))
    assert verify.caveats(tmp_path) == [f"note: {tmp_path}/run.json records OpenBLAS's Prescott kernels, whose last "
                                        "digits may differ"]
    (tmp_path / "run.json").write_text("not a record")
    assert verify.caveats(tmp_path) == []


def test_no_run_on_a_folder_that_does_not_exist_says_so(tmp_path):
    with pytest.raises(SystemExit, match=rf"^{tmp_path / 'gone'}: no such folder; --no-run compares a finished rerun's folder$"):
        verify.main(["--no-run", str(tmp_path / "gone")])
