"""Where a notebook writes: the runner's folder, an explicit --out, or build/interactive/ seeded with
the committed inputs (so JupyterLab never rewrites a committed exhibit)."""
import json
import re

import pytest

from helpers import paths, run
from helpers.files import InputError, read_text


def _repository(tmp_path, monkeypatch):
    """A repository holding every input a notebook reads, each file its own name."""
    repository = tmp_path / "repository"
    for name in paths.inputs():
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        (repository / name).write_text(f"{name}\n")
    monkeypatch.setattr(paths, "ROOT", repository)
    monkeypatch.delenv(paths.OUT_VARIABLE, raising=False)
    return repository


def test_default_folders_start_with_copies_of_the_committed_inputs(tmp_path, monkeypatch):
    repo = _repository(tmp_path, monkeypatch)
    monkeypatch.setattr(paths, "INTERACTIVE", tmp_path / "interactive")
    # In JupyterLab (no runner): build/interactive, seeded; a file already there is kept.
    first = paths.inputs()[0]
    (tmp_path / "interactive" / first).parent.mkdir(parents=True)
    (tmp_path / "interactive" / first).write_text("written by an earlier interactive run")
    assert paths.figures("") == tmp_path / "interactive" / "figures"
    assert (tmp_path / "interactive" / first).read_text() == "written by an earlier interactive run"
    assert all((tmp_path / "interactive" / n).read_text() == f"{n}\n" for n in paths.inputs()[1:])
    # The runner names the repository: nothing is copied, the committed folders are used.
    monkeypatch.setenv(paths.OUT_VARIABLE, str(repo))
    assert paths.output("") == repo and paths.figures("") == repo / "figures"
    # An explicit out (a rerun; the runner put its inputs there) is used as it is.
    assert paths.figures(str(tmp_path / "alt")) == tmp_path / "alt" / "figures"
    assert not (tmp_path / "alt").exists()


def test_each_written_file_has_its_producer_wherever_the_run_wrote_it(tmp_path):
    for root in (paths.ROOT, tmp_path / "rerun"):
        assert paths.producer(root / "figures" / "table7_wild_bootstrap.csv") == "08_heterogeneity"
        assert paths.producer(root / "figures" / "01_coverage_heatmap.png") == "01_data"
        assert paths.producer(root / "data" / "processed" / "panel.csv") == "02_variables"
    assert paths.producer(paths.RAW / "gdp.csv") is None and paths.producer(tmp_path / "panel.csv") is None


def test_a_run_in_jupyterlab_is_recorded_with_its_settings_commit_and_packages(tmp_path, monkeypatch):
    import json
    import subprocess

    import pandas as pd
    monkeypatch.setattr(paths, "INTERACTIVE", tmp_path / "interactive")
    monkeypatch.delenv(paths.OUT_VARIABLE, raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/build/05_baseline copy.ipynb")  # a copy, by its own name
    paths.record("", "05_baseline.ipynb", tfp="tfp_solow", alpha=0.1)
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/notebooks/01_data.ipynb")
    path = paths.record("", "01_data.ipynb", years=[2013, 2020])
    found = json.loads(path.read_text())["notebooks"]
    assert list(found) == ["01_data.ipynb", "05_baseline copy.ipynb"]
    assert found["05_baseline copy.ipynb"]["settings"] == {"tfp": "tfp_solow", "alpha": 0.1}
    assert found["01_data.ipynb"]["settings"] == {"years": [2013, 2020]}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True).stdout.strip()
    assert found["01_data.ipynb"]["commit"] == (head or None)
    assert found["01_data.ipynb"]["packages"]["pandas"] == pd.__version__
    # papermill -p out: recorded in that folder, each notebook under the name it gives; under the runner
    # (it records a rerun itself), nothing.
    monkeypatch.delenv("JPY_SESSION_NAME")
    path.unlink()
    paths.record(str(tmp_path / "alt"), "05_baseline.ipynb", tfp="tfp_solow")
    elsewhere = json.loads(paths.record(str(tmp_path / "alt"), "01_data.ipynb", years=[2012, 2021]).read_text())
    assert elsewhere["what"].startswith(paths.OUTSIDE_THE_RUNNER)
    assert {name: entry["settings"] for name, entry in elsewhere["notebooks"].items()} == \
        {"01_data.ipynb": {"years": [2012, 2021]}, "05_baseline.ipynb": {"tfp": "tfp_solow"}}
    monkeypatch.setenv(paths.OUT_VARIABLE, str(tmp_path / "runner"))
    assert paths.record("", "01_data.ipynb", years=[2011, 2021]) is None
    assert paths.record(str(tmp_path / "alt2"), "01_data.ipynb", years=[2011, 2021]) is None
    assert not path.exists() and not (tmp_path / "runner").exists() and not (tmp_path / "alt2").exists()


def test_a_run_outside_the_runner_is_refused_a_folder_the_runner_ran_in(tmp_path, monkeypatch):
    """papermill -p out build/boot after the runner's --out build/boot: record, which every notebook
    calls in its set-up before it writes (with an out given, paths.output writes nothing), refuses, and
    the runner's record stays. In the default folder (JupyterLab) the message says to remove it, since
    no out was given. A run.json that is not a record, or a record of runs outside the runner (also as
    an earlier version wrote it), is taken over as before."""
    monkeypatch.delenv(paths.OUT_VARIABLE, raising=False)
    monkeypatch.setattr(run.environment, "facts", dict)
    boot = tmp_path / "boot"
    boot.mkdir()
    argv = ["--only", "08_heterogeneity", "--set", "reps=999", "--out", str(boot)]
    recorded = run.record(boot, argv, {"reps": 999}, ["08_heterogeneity"], []).read_bytes()
    command = re.escape(f"{paths.RUNNER} {' '.join(argv)}")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(boot))}: its run.json records a run of the runner \({command}\), which "
                                         r"this run would mix with its own; give out a folder of its own, e\.g\. build/<name>$"):
        paths.output(str(boot)), paths.figures(str(boot)), paths.record(str(boot), "08_heterogeneity.ipynb", reps=9999)
    assert (boot / "run.json").read_bytes() == recorded and [p.name for p in boot.iterdir()] == ["run.json"]
    monkeypatch.setattr(paths, "INTERACTIVE", boot)
    with pytest.raises(ValueError, match=rf"; remove it \(rm -r {re.escape(str(boot))}\) or give out a folder of its own"):
        paths.record("", "08_heterogeneity.ipynb", reps=9999)
    for taken_over in ("not JSON", '{"what": "runs in JupyterLab; each notebook with its last run", "notebooks": {}}'):
        (boot / "run.json").write_text(taken_over)
        assert json.loads(paths.record(str(boot), "08_heterogeneity.ipynb", reps=9999).read_text())["notebooks"]["08_heterogeneity.ipynb"]["settings"] == {"reps": 9999}


def test_notebooks_recording_at_the_same_time_each_keep_their_entry(tmp_path):
    """Two kernels entering build/interactive/run.json at once (two notebooks started together in
    JupyterLab): every entry survives, none is lost between one kernel's read and the other's write."""
    import json
    import os
    import subprocess
    import sys
    script = ("import os, sys\n"
              "from pathlib import Path\n"
              "from helpers import environment, paths\n"
              "paths.INTERACTIVE = Path(sys.argv[1])\n"
              "environment.facts = dict  # the race is between the read and the write: skip git and the packages\n"
              "(paths.INTERACTIVE / f'{sys.argv[2]}.ready').touch()\n"
              "while len(list(paths.INTERACTIVE.glob('*.ready'))) < 2:  # both start recording together\n"
              "    pass\n"
              "for i in range(100):\n"
              "    os.environ['JPY_SESSION_NAME'] = f'{sys.argv[2]}{i:03d}.ipynb'\n"
              "    paths.record('', 'x.ipynb', i=i)\n")
    env = {k: v for k, v in os.environ.items() if k != paths.OUT_VARIABLE}
    kernels = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name], cwd=paths.ROOT, env=env)
               for name in ("a", "b")]
    assert [kernel.wait() for kernel in kernels] == [0, 0]
    found = json.loads((tmp_path / "run.json").read_text())["notebooks"]
    assert sorted(found) == sorted(f"{name}{i:03d}.ipynb" for name in "ab" for i in range(100))
    assert found["b007.ipynb"]["settings"] == {"i": 7}


def test_seed_names_a_missing_committed_input_and_what_writes_it(tmp_path, monkeypatch):
    """In an empty repository: a file a notebook writes (named from its declaration in CHAIN) and one
    no notebook writes; nothing is copied."""
    monkeypatch.setattr(paths, "ROOT", tmp_path / "repository")
    exhibit = paths.CHAIN["05_baseline"][1][0].replace("*", "_missing.csv")
    with pytest.raises(InputError, match=rf"{exhibit}: the file is missing\. notebooks/05_baseline.ipynb writes it; "
                                         r"run that notebook first \(make reproduce\)"):
        paths.seed(tmp_path / "run", [exhibit])
    with pytest.raises(InputError, match=r"Restore it: git checkout -- data/raw/missing.csv"):
        paths.seed(tmp_path / "run", ["data/raw/missing.csv"])
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("out, why", [(str(paths.ROOT), "never in the committed tree"),
                                      (str(paths.DATA), "never in the committed tree"),
                                      (str(paths.ROOT / "docs"), "never in the committed tree"),
                                      ("..", "never in the committed tree"),
                                      (str(paths.BUILD), "not build/ itself, which holds every run's folder")])
def test_an_out_in_the_committed_tree_is_refused_whatever_starts_the_notebook(out, why, monkeypatch):
    """papermill -p out <the repository> would otherwise rewrite the committed exhibits with its settings;
    a relative out is resolved as the notebook's kernel resolves it (from notebooks/), and the message
    gives a folder relative to there."""
    monkeypatch.chdir(paths.NOTEBOOKS)
    with pytest.raises(ValueError, match=rf"^out=/.*: inside the repository a run goes in a folder of its own under build/, {why}; "
                                         r"e\.g\. out=\.\./build/<name> \(a relative out is taken from .*/notebooks\), "
                                         r"or a rerun by the runner: .*helpers.run"):
        paths.figures(out)


@pytest.mark.parametrize("out", ["../build/test", "../build/cache", "../build/partial/run", "../build/bench",
                                 "../build/book", "../build/interactive"])
def test_an_out_in_a_folder_the_tools_keep_is_refused(out, monkeypatch):
    """make test empties build/test/, make bench rewrites build/bench/, make book build/book/: a run
    there would be lost; one in build/cache/ or build/partial/ would mix with the files kept there, and
    one in build/interactive/ with JupyterLab's runs."""
    monkeypatch.chdir(paths.NOTEBOOKS)
    kept = out.split("/")[2]
    with pytest.raises(ValueError, match=rf"^out={paths.BUILD}/{out[9:]} \({out} from .*\): build/{kept}/ holds .*; "
                                         r"a run goes in a folder of its own under build/, e\.g\. .*helpers.run"):
        paths.output(out)


def test_an_out_naming_build_interactive_is_told_that_an_empty_out_writes_there(monkeypatch):
    monkeypatch.chdir(paths.NOTEBOOKS)
    with pytest.raises(ValueError, match=r"build/interactive/ holds the runs of notebooks opened in JupyterLab "
                                         r"\(a notebook given an empty out writes there\); a run goes in a folder of its own"):
        paths.output("../build/interactive")


def test_an_out_under_build_or_outside_the_repository_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(paths.NOTEBOOKS)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.figures("../build/alt").resolve() == paths.BUILD / "alt" / "figures"
    assert paths.output(str(tmp_path)) == tmp_path
    assert paths.output("~/alt") == tmp_path / "alt"  # the folder checked, not notebooks/~/alt


def test_a_papermill_out_gets_the_committed_inputs_and_a_rerun_of_the_runner_does_not(tmp_path, monkeypatch):
    """papermill -p out <folder> outside the runner reads what make reproduce would, as JupyterLab's
    folder does; under the runner ($COMPENDIUM_OUT set) the runner gives the inputs (run.plan)."""
    repository = _repository(tmp_path, monkeypatch)
    folder = paths.output(str(tmp_path / "pm"))
    assert all((folder / name).read_bytes() == (repository / name).read_bytes() for name in paths.inputs())
    monkeypatch.setenv(paths.OUT_VARIABLE, str(tmp_path / "runner"))
    (tmp_path / "runner").mkdir()  # as the runner makes it
    assert not any(paths.output(str(tmp_path / "runner")).iterdir())


def test_a_copied_input_follows_the_committed_one_and_a_file_a_notebook_wrote_is_kept(tmp_path, monkeypatch):
    """After a git pull or make reproduce changed the committed inputs, a folder of runs outside the
    runner reads the new ones where it holds the copy it was given, and keeps what its notebooks wrote."""
    repository = _repository(tmp_path, monkeypatch)
    folder = paths.output(str(tmp_path / "pm"))
    panel, exhibit = paths.PANEL[0], paths.inputs()[-1]  # an exhibit of a later notebook (CHAIN)
    (folder / exhibit).write_text("written by a notebook in this folder\n")
    for name in (panel, exhibit):
        (repository / name).write_bytes((repository / name).read_bytes() + b"\n")  # committed anew
    assert paths.keep_seeded(folder) == [panel]
    assert (folder / panel).read_bytes() == (repository / panel).read_bytes()
    assert (folder / exhibit).read_text() == "written by a notebook in this folder\n"
    assert paths.keep_seeded(folder) == []  # nothing more to do


def test_a_committed_input_the_repository_lacks_is_not_copied_and_its_reader_says_how_to_get_it(tmp_path, monkeypatch):
    """The committed panel deleted, a notebook opened in JupyterLab (or papermill) still starts, with the
    other inputs copied, and reading the panel names both ways to get it, which work from there:
    notebook 02, which does not read it, runs and writes the folder's own."""
    repository = _repository(tmp_path, monkeypatch)
    panel = paths.PANEL[0]
    (repository / panel).unlink()
    folder = paths.output(str(tmp_path / "pm"))
    assert not (folder / panel).exists() and all((folder / name).exists() for name in paths.inputs() if name != panel)
    with pytest.raises(InputError, match=re.escape(
            f"{folder / panel}: the file is missing. notebooks/02_variables.ipynb writes it; run that notebook here "
            f"first, or restore the committed file: git checkout -- {panel}, which a notebook run here then copies.")):
        read_text(folder / panel, "unused")


def test_a_folder_from_before_the_record_keeps_what_differs_and_a_copy_outlives_its_committed_file(tmp_path, monkeypatch,
                                                                                                  capsys):
    """A folder seeded before .seeded.json existed: a file equal to the committed one is taken as the copy
    (and follows it from then on); one that differs may be a notebook's output, so it is kept, said once.
    A committed input removed leaves the folder's copy as it is."""
    repository = _repository(tmp_path, monkeypatch)
    folder = paths.output(str(tmp_path / "pm"))
    panel, codebook = paths.inputs()[:2]  # what notebook 03 reads (CHAIN): the panel and its codebook
    (folder / paths.SEEDED).unlink()
    (folder / codebook).write_text("an older copy\n")
    assert paths.keep_seeded(folder) == []
    assert capsys.readouterr().err == f"{folder / codebook}: kept, though it is not the committed {codebook}; remove it to read that\n"
    assert paths.keep_seeded(folder) == [] and capsys.readouterr().err == ""  # said once
    (repository / panel).write_bytes((repository / panel).read_bytes() + b"\n")
    assert paths.keep_seeded(folder) == [panel] and (folder / codebook).read_text() == "an older copy\n"
    (repository / panel).unlink()
    assert paths.keep_seeded(folder) == [] and (folder / panel).exists()
