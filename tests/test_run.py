"""The papermill runner: settings and --out are checked before anything runs, reruns read committed
inputs or run their producers, run stamps are stripped, and failures are named and complete."""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED
from fnmatch import fnmatch
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers import config, environment, paths, run
from tests.conftest import needs_x86


def notebook(path, *sources, parameters="x = 1\nname = 'a'"):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(new_code_cell(s) for s in sources)]
    nbformat.write(nb, path)
    return path


def test_defaults_are_the_literals_of_the_parameters_cell_read_once(tmp_path, monkeypatch):
    nb = notebook(tmp_path / "01_x.ipynb", "y = 2", parameters="x = 1  # a number\nname = 'a'\nyears = [2011, 2021]")
    parsed = []  # every notebook text parsed, by nbformat.read or by papermill
    monkeypatch.setattr(nbformat, "reads", lambda *a, reads=nbformat.reads, **k: parsed.append(1) or reads(*a, **k))
    assert run.defaults(nb) == {"x": 1, "name": "a", "years": [2011, 2021]} and len(parsed) == 1
    assert run.defaults(notebook(tmp_path / "02_x.ipynb", parameters="")) == {}


def test_unknown_setting_lists_the_valid_ones(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb")
    with pytest.raises(SystemExit, match=r"unknown setting 'y'; valid names: name, x$"):
        run.parse_settings(["y=2"], [nb])
    with pytest.raises(SystemExit, match=r"unknown setting 'nmae' \(did you mean name\?\); valid names: name, x$"):
        run.parse_settings(["nmae=b"], [nb])
    with pytest.raises(SystemExit, match=r"unknown setting 'tpf' \(did you mean tfp\?\)"):  # not top, as close
        run.parse_settings(["tpf=tfp_solow"], [paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"unknown setting 'TFP' \(did you mean tfp\?\)"):
        run.parse_settings(["TFP=tfp_solow"], [paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"unknown setting 'Cov_Tpye' \(did you mean cov_type\?\)"):
        run.parse_settings(["Cov_Tpye=unadjusted"], [paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"unknown setting 'rep' \(did you mean reps, read by 08_heterogeneity\?\); valid names: cov_type"):
        run.parse_settings(["rep=999"], [paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"--set x: expected NAME=VALUE; valid names: name, x$"):
        run.parse_settings(["x"], [nb])


def test_a_setting_of_another_notebook_or_given_twice_is_refused():
    with pytest.raises(SystemExit, match=r"setting alpha is not read by 05_baseline or the notebooks it waits for; valid names: cov_type, "):
        run.parse_settings(["alpha=0.1"], [paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"not read by 01_data, 05_baseline or the notebooks they wait for; valid names: "):
        run.parse_settings(["alpha=0.1"], [paths.NOTEBOOKS / "01_data.ipynb", paths.NOTEBOOKS / "05_baseline.ipynb"])
    with pytest.raises(SystemExit, match=r"setting alpha given twice \(--set alpha=0.1 and --set alpha=.2\); give it once"):
        run.parse_settings(["alpha=0.1", "alpha=.2"], [paths.NOTEBOOKS / "09_replication_scorecard.ipynb"])


def test_setting_of_the_wrong_type_is_refused(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb")
    assert run.parse_settings(["x=3", "name=b"], [nb]) == {"x": 3, "name": "b"}
    with pytest.raises(SystemExit, match=r"x='three': expected an integer like the default 1"):
        run.parse_settings(["x=three"], [nb])
    shares = notebook(tmp_path / "02_y.ipynb", parameters="out = ''\nshare = 0.01")
    with pytest.raises(SystemExit, match=r"share='one': expected a number with a decimal point like the default 0.01"):
        run.parse_settings(["share=one"], [shares])
    assert run.parse_settings(["share=0"], [shares]) == {"share": 0.0}  # an integer where a number is wanted
    assert type(run.parse_settings(["share=0"], [shares])["share"]) is float


def test_out_is_given_with_the_option_not_as_a_setting(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb", parameters="out = ''\nx = 1")
    with pytest.raises(SystemExit, match=r"out is not a setting: give the folder with --out"):
        run.parse_settings(["out=build/x"], [nb])


def test_values_outside_the_choices_fail_before_running(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb", parameters="tfp = 'tfp'\nreps = 9999\nseed = 20240101\nyears = [2011, 2021]")
    assert run.parse_settings(["tfp=tfp_solow", "reps=999", "seed=7", "years=[2013, 2020]"], [nb]) == \
        {"tfp": "tfp_solow", "reps": 999, "seed": 7, "years": [2013, 2020]}
    for pair, message in [("tfp=solow", r"tfp='solow': did you mean tfp_solow\? choose one of tfp, tfp_solow, tfp_urban"),
                          ("tfp=TFP_Solow", r"tfp='TFP_Solow': did you mean tfp_solow\? choose one of"),  # in any case
                          ("reps=5", r"reps=5: must lie between 99 and 99999"),
                          ("seed=-1", r"seed=-1: must lie between 0 and 4294967295"),
                          ("years=[2011, 2099]", r"years=\[2011, 2099\]: must lie between 1949 and 2024"),
                          ("years=[2021, 2011]", r"expected increasing values like \[2011, 2021\]$"),
                          ("years=[2011]", r"expected a list of 2 values, each an integer, like \[2011, 2021\]$"),
                          ("years=[2011, 20.5]", r"years=\[2011, 20.5\]: expected a list of 2 values, each an integer"),
                          ("years=[2019.0, 2021]", r"expected a list of 2 values, each an integer")]:
        with pytest.raises(SystemExit, match=message):
            run.parse_settings([pair], [nb])


def test_every_setting_of_every_notebook_has_a_declared_range_or_choices():
    for nb in run.notebooks():
        for name in set(run.defaults(nb)) - {"out"}:
            assert run.allowed(name) is not None, (nb.name, name)


def pasted(command: str) -> list[str]:
    """What the runner receives when `command`, suggested or recorded, is pasted into a shell in the
    working directory, having checked that the shell finds the Python running now."""
    words = shlex.split(command)
    assert os.path.normpath(Path.cwd() / words[0]) == sys.executable and words[1:3] == ["-m", "helpers.run"], command
    return words[3:]


def suggested(argv: list[str]) -> list[str]:
    """The command the runner suggests when it refuses `argv`, as pasted() gives it."""
    with pytest.raises(SystemExit) as refused:
        run.main(argv)
    message, sep, command = str(refused.value.code).partition("; rerun into a folder of its own: ")
    assert sep and "without --out they would rewrite the committed exhibits" in message, refused.value.code
    return pasted(command)


@pytest.mark.parametrize("where, build", [(paths.ROOT, "build"), (paths.NOTEBOOKS, "../build")])
def test_settings_without_out_are_refused_with_the_command_that_works(where, build, monkeypatch, repo_unchanged):
    """The suggestion works pasted where the command ran: from notebooks/ too."""
    monkeypatch.chdir(where)
    assert suggested(["--only", "08_heterogeneity", "--set", "reps=999"]) == \
        ["--only", "08_heterogeneity", "--set", "reps=999", "--out", f"{build}/reps-999"]
    assert suggested(["--only", "01_data", "--set", "years=[2013, 2020]"]) == \
        ["--only", "01_data", "--set", "years=[2013, 2020]", "--out", f"{build}/years-2013-2020"]
    with pytest.raises(SystemExit, match=r"^tfp='tfp', cov_type='cluster' are the defaults: run without --set to rerun in place"):
        run.main(["--only", "05_baseline", "--set", "tfp=tfp", "--set", "cov_type=cluster"])
    assert run.named({"years": [2013, 2020], "tfp": "tfp_solow", "alpha": 0.1}) == \
        "build/years-2013-2020_tfp-tfp_solow_alpha-0.1"  # a folder name a shell takes without quotes


@pytest.mark.parametrize("where, message", [
    (lambda tmp: paths.FIGURES, "a folder of its own under build/, never in the committed tree"),
    (lambda tmp: paths.ROOT, "a folder of its own under build/"),
    (lambda tmp: paths.NOTEBOOKS / "alt", "a folder of its own under build/"),
    (lambda tmp: paths.BUILD, "a folder of its own under build/, not build/ itself, which holds"),
    (lambda tmp: paths.ROOT / "docs", "a folder of its own under build/"),
    (lambda tmp: paths.BUILD / "test", "build/test/ holds what make test writes; a run goes in a folder of its own"),
    (lambda tmp: paths.BUILD / "cache", "build/cache/ holds the forensic grid's cache"),
    (lambda tmp: paths.BUILD / "partial" / "x", "build/partial/ holds the partly executed notebooks of make reproduce"),
    (lambda tmp: paths.BUILD / "bench", "build/bench/ holds make bench's runs"),
    (lambda tmp: paths.BUILD / "book", "build/book/ holds make book's site"),
    (lambda tmp: paths.BUILD / "interactive", "build/interactive/ holds the runs of notebooks opened in JupyterLab"),
    (lambda tmp: tmp / "a_file", "is a file, not a folder"),
    (lambda tmp: tmp / "a_file" / "below", "cannot write there"),
    (lambda tmp: "/proc/compendium_out", "cannot write there"),
])
def test_out_is_checked_before_anything_runs(tmp_path, monkeypatch, repo_unchanged, where, message):
    (tmp_path / "a_file").write_text("x")
    monkeypatch.setattr(run, "run_all", lambda *a: pytest.fail("a notebook ran"))
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))  # not the checkout's: a run may hold it
    with pytest.raises(SystemExit, match=message):
        run.main(["--only", "01_data", "--out", str(where(tmp_path))])


def test_only_given_twice_runs_the_notebook_once(tmp_path, monkeypatch, repo_unchanged):
    calls = []
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(run, "run_all", lambda stems, out, settings, completed: calls.append(stems) or {})
    monkeypatch.setattr(paths, "seed", lambda root, files: calls.append(files))
    monkeypatch.setattr(run, "lock", lambda lock=run.lock: lock(tmp_path))  # not the checkout's: a run may hold it
    run.main(["--only", "08_heterogeneity", "--only", "08_heterogeneity", "--out", str(tmp_path / "alt")])
    assert calls == [list(paths.PANEL), ["08_heterogeneity"]]
    facts = json.loads((tmp_path / "alt" / "run.json").read_text())
    assert facts["notebooks_planned"] == ["08_heterogeneity"] and facts["settings"] == {} and facts["finished"] is True
    assert facts["packages"]["pandas"] and "commit" in facts
    assert {k: os.environ[k] for k in run.BLAS} == run.BLAS == {k: facts["blas"][k] for k in run.BLAS}  # kernels inherit it


LOCK = run.lock


def _rerun(tmp_path, monkeypatch, run_all, *flags):
    """run.main into tmp_path/alt with run_all replaced and the checkout's files left alone."""
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(run, "run_all", run_all)
    monkeypatch.setattr(paths, "seed", lambda root, files: None)
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))  # not the checkout's: a run may hold it
    run.main(["--only", "08_heterogeneity", *flags, "--out", str(tmp_path / "alt")])
    return json.loads((tmp_path / "alt" / "run.json").read_text())


def test_a_rerun_says_which_notebooks_it_adds_and_why(tmp_path, monkeypatch, repo_unchanged, capsys):
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(run, "run_all", lambda stems, *a: {})
    monkeypatch.setattr(paths, "seed", lambda root, files: None)
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))
    run.main(["--only", "09_replication_scorecard", "--set", "cov_type=unadjusted", "--out", str(tmp_path / "alt")])
    assert ("also running 05_baseline, 06_robustness, 07_moderation, 08_heterogeneity: 09_replication_scorecard "
            "reads what they write, which the settings change") in capsys.readouterr().err


def test_a_python_without_the_project_s_packages_is_told_which_to_use(monkeypatch):
    def without_papermill(argv):
        raise ModuleNotFoundError("No module named 'papermill'", name="papermill")
    monkeypatch.setattr(run, "command", without_papermill)
    with pytest.raises(SystemExit, match=r"^papermill is not installed for .*; the runner needs the project's environment: "
                                         r"\.venv/bin/python -m helpers\.run \(make env builds \.venv"):
        run.main([])


def test_a_folder_holding_a_run_with_other_settings_is_refused(tmp_path, monkeypatch, repo_unchanged):
    """The same settings may run again (to finish an interrupted run); others would mix two runs."""
    assert _rerun(tmp_path, monkeypatch, lambda *a: {}, "--set", "reps=999")["settings"] == {"reps": 999}
    assert _rerun(tmp_path, monkeypatch, lambda *a: {}, "--set", "reps=999")["interrupted"] is False
    with pytest.raises(SystemExit, match=r"holds a run with other settings \(\{'reps': 999\}\).*rm -r"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"), "--set", "reps=1999")
    with pytest.raises(SystemExit, match=r"holds a run with other settings"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"))
    # the defaults, however written, are the same settings
    (tmp_path / "alt" / "run.json").write_text('{"settings": {}}')
    assert _rerun(tmp_path, monkeypatch, lambda *a: {}, "--set", "tfp=", "--set", "digital=digital",
                  "--set", "cov_type=cluster", "--set", "reps=9999")["settings"]["digital"] == "digital"


def test_other_kernels_without_out_are_refused_with_the_command_that_works(repo_unchanged):
    assert suggested(["--only", "07_moderation", "--kernels", "Prescott"]) == \
        ["--only", "07_moderation", "--kernels", "Prescott", "--out", "build/kernels-Prescott"]


@needs_x86
def test_kernels_openblas_runs_anyway_are_refused():
    """Named kernels that OpenBLAS runs by default here (the runner's BLAS) would compare nothing."""
    with pytest.raises(SystemExit, match=rf"OpenBLAS runs its {environment.openblas_kernels()} kernels with it, as it "
                                         r"does by default on this machine"):
        run.check_kernels(environment.openblas_kernels())


@needs_x86
def test_a_folder_holding_a_run_with_other_kernels_is_refused(tmp_path, monkeypatch, repo_unchanged):
    assert _rerun(tmp_path, monkeypatch, lambda *a: {}, "--kernels", "Prescott")["blas"]["OPENBLAS_CORETYPE"] == "Prescott"
    assert _rerun(tmp_path, monkeypatch, lambda *a: {}, "--kernels", "Prescott")["finished"]  # the same may finish it
    with pytest.raises(SystemExit, match=r"holds a run computed with OpenBLAS's Prescott kernels, this one with "):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"))
    with pytest.raises(SystemExit, match=r"holds a run computed with OpenBLAS's Prescott kernels, this one with Nehalem"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"), "--kernels", "Nehalem")


def test_the_record_is_written_before_any_notebook_runs(tmp_path, monkeypatch, repo_unchanged):
    """A run killed outright (no finally) still leaves its settings and BLAS, so that the guard above
    holds; here without the Makefile's BLAS variables, as python -m helpers.run starts."""
    for name in run.BLAS:
        monkeypatch.delenv(name, raising=False)

    def first(*args):
        facts = json.loads((tmp_path / "alt" / "run.json").read_text())
        assert facts["finished"] is False and facts["settings"] == {"reps": 999}
        assert facts["blas"] == run.BLAS and facts["notebooks_completed"] == []
        return {}
    assert _rerun(tmp_path, monkeypatch, first, "--set", "reps=999")["finished"] is True


def test_the_recorded_command_pastes_back_into_a_shell(tmp_path, monkeypatch, repo_unchanged):
    """A value with a space (a list) is quoted in run.json's command, so that the shell gives the
    runner the same arguments again; a relative --out is taken from the working directory the record
    names, and the folder it resolved to is recorded too."""
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(run, "run_all", lambda *a: {})
    monkeypatch.setattr(paths, "seed", lambda root, files: None)
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))
    monkeypatch.chdir(tmp_path)
    argv = ["--only", "01_data", "--set", "years=[1949, 2024]", "--out", "alt"]
    run.main(argv)
    facts = json.loads((tmp_path / "alt" / "run.json").read_text())
    assert pasted(facts["command"]) == argv
    assert facts["working_directory"] == str(tmp_path) and facts["out"] == str((tmp_path / "alt").resolve())


def test_the_runner_gives_its_kernels_the_checkout_first_on_the_path(tmp_path, monkeypatch, repo_unchanged):
    """What the notebooks' kernels inherit when they start (run_all runs them): this checkout before
    the path given; with none given, this checkout alone (no empty entry, which would add the
    working directory)."""
    seen = []
    for given, expected in (("/elsewhere", f"{paths.ROOT}:/elsewhere"), (None, str(paths.ROOT))):
        monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        if given:
            os.environ["PYTHONPATH"] = given
        assert run.kernel_environment()["PYTHONPATH"] == expected
        _rerun(tmp_path / str(len(seen)), monkeypatch, lambda *a: seen.append(os.environ["PYTHONPATH"]) or {})
        assert seen[-1] == expected


@pytest.mark.parametrize("content", ["[]", '{"settings": null}', "{broken"])
def test_a_run_record_of_the_wrong_shape_is_named(tmp_path, monkeypatch, repo_unchanged, content):
    (tmp_path / "alt").mkdir()
    (tmp_path / "alt" / "run.json").write_text(content)
    with pytest.raises(SystemExit, match=r"alt/run.json: not a run record \(\w+\); remove"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"))


def test_a_folder_of_runs_outside_the_runner_is_refused(tmp_path, monkeypatch, repo_unchanged):
    """papermill -p out build/alt records its runs in build/alt/run.json: the runner does not mix them with its own."""
    with monkeypatch.context() as outside:
        outside.delenv(paths.OUT_VARIABLE, raising=False)
        paths.record(str(tmp_path / "alt"), "08_heterogeneity.ipynb", reps=999)
    with pytest.raises(SystemExit, match=r"alt holds runs outside the runner \(JupyterLab, papermill\) \(its run.json\), "
                                         r"which this run would mix with its own: choose another folder"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"))


def test_a_folder_with_files_but_no_run_record_is_refused(tmp_path, monkeypatch, repo_unchanged):
    """e.g. --out pointing at another checkout, whose committed exhibits the run would overwrite."""
    (tmp_path / "alt" / "figures").mkdir(parents=True)
    (tmp_path / "alt" / "figures" / "table4.csv").write_text("committed elsewhere")
    with pytest.raises(SystemExit, match=r"holds files but no run record"):
        _rerun(tmp_path, monkeypatch, lambda *a: pytest.fail("a notebook ran"))
    assert (tmp_path / "alt" / "figures" / "table4.csv").read_text() == "committed elsewhere"


def test_the_lock_names_its_holder_while_held(tmp_path, monkeypatch):
    assert run.holder(tmp_path) is None  # no lock file yet
    with LOCK(tmp_path):
        with monkeypatch.context() as m:  # asking takes no lock, so a run starting meanwhile is not refused
            m.setattr(run.fcntl, "flock", lambda *a: pytest.fail("holder() locked the file"))
            assert run.holder(tmp_path).startswith(f"pid {os.getpid()}, started ")
    assert run.holder(tmp_path) is None
    gone = subprocess.Popen(["true"])
    gone.wait()
    (tmp_path / "build" / "run.lock").write_text(f"pid {gone.pid}, started 10:00:00")  # a run killed outright
    assert run.holder(tmp_path) is None


def test_a_rerun_refused_because_another_run_holds_the_checkout_leaves_no_folder(tmp_path, monkeypatch, repo_unchanged):
    monkeypatch.setattr(run, "run_all", lambda *a: pytest.fail("a notebook ran"))
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))
    with LOCK(tmp_path), pytest.raises(SystemExit, match="another run is using this checkout"):
        run.main(["--only", "08_heterogeneity", "--set", "reps=999", "--out", str(tmp_path / "alt")])
    assert not (tmp_path / "alt").exists()


def test_an_interrupted_rerun_is_recorded_as_such(tmp_path, monkeypatch, repo_unchanged):
    def interrupted(stems, out, settings, completed):
        completed.append("08_heterogeneity")
        raise KeyboardInterrupt
    with pytest.raises(SystemExit) as stop:
        _rerun(tmp_path, monkeypatch, interrupted, "--set", "reps=999")
    assert stop.value.code == 130
    facts = json.loads((tmp_path / "alt" / "run.json").read_text())
    assert facts["interrupted"] is True and facts["finished"] is False and facts["settings"] == {"reps": 999}
    assert facts["notebooks_completed"] == ["08_heterogeneity"]


def test_a_rerun_killed_outright_lists_the_notebooks_it_completed(tmp_path, monkeypatch, repo_unchanged):
    """The record is rewritten as each notebook completes, before the next runs."""
    def one_then_killed(stems, out, settings, completed):
        completed.append("08_heterogeneity")
        facts = json.loads((out / "run.json").read_text())
        assert facts["notebooks_completed"] == ["08_heterogeneity"] and facts["finished"] is False
        return {}
    assert _rerun(tmp_path, monkeypatch, one_then_killed, "--set", "reps=999")["finished"] is True


def test_no_notebook_completing_late_replaces_the_final_record():
    """A thread abandoned by a second Ctrl-C may still complete its notebook after the final record."""
    writes = []
    done = run.Completed(writes.append)
    done.append("01_data")
    done.last(lambda stems: writes.append(["final", *stems]))
    done.append("02_variables")
    assert writes == [["01_data"], ["final", "01_data"]] and done == ["01_data", "02_variables"]


def test_a_relative_out_inside_the_tree_is_named_with_the_folder_it_was_resolved_from(tmp_path, monkeypatch, repo_unchanged):
    monkeypatch.chdir(paths.NOTEBOOKS)
    monkeypatch.setattr(run, "lock", lambda: LOCK(tmp_path))
    with pytest.raises(SystemExit, match=r"\(build/alt from .*notebooks\).*e\.g\. --out .*/build/defaults$"):
        run.main(["--only", "01_data", "--out", "build/alt"])
    with pytest.raises(SystemExit, match=r"e\.g\. --out .*/build/years-2013-2020$"):
        run.main(["--only", "01_data", "--set", "years=[2013, 2020]", "--out", "build/alt"])


def test_an_unquoted_list_is_named_with_how_to_quote_it(capsys):
    """The shell splits --set years=[2013, 2020] in two; argparse alone names only the piece left over."""
    with pytest.raises(SystemExit):
        run.main(["--only", "01_data", "--set", "years=[2013,", "2020]", "--out", "build/alt"])
    assert capsys.readouterr().err.strip().endswith(
        f"{paths.RUNNER}: error: unrecognized arguments: 2020]; quote a value with spaces: --set 'years=[2013, 2020]'")
    with pytest.raises(SystemExit):  # a name and its value apart
        run.main(["--only", "08_heterogeneity", "--set", "reps", "999", "--out", "build/alt"])
    assert capsys.readouterr().err.strip().endswith("unrecognized arguments: 999; join a name and its value with =: --set reps=999")
    with pytest.raises(SystemExit):  # another mistake gets no such hint
        run.main(["--only", "08_heterogeneity", "--set", "reps=999", "--outt", "build/alt"])
    assert capsys.readouterr().err.strip().endswith("error: unrecognized arguments: --outt build/alt")


@pytest.mark.parametrize("flags, haswell", [("fpu sse2 avx avx2 fma bmi2", True), ("fpu sse2 avx fma", False),
                                            ("fpu sse2 avx2", False), (None, False)])
def test_haswell_kernels_need_avx2_and_fma(flags, haswell):
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\n" + (f"flags\t\t: {flags}\n" if flags else "")
    assert run.haswell_kernels(cpuinfo) is haswell


def test_every_notebook_is_declared_and_every_input_has_one_producer():
    assert set(paths.CHAIN) == {nb.stem for nb in run.notebooks()}
    for stem in paths.CHAIN:
        for name in paths.CHAIN[stem][0]:
            makers = [s for s, (_, writes) in paths.CHAIN.items() if any(fnmatch(name, w) for w in writes)]
            assert len(makers) == 1, (stem, name, makers)


def test_the_declared_reads_cover_the_files_the_notebooks_open():
    """A notebook that loads the panel or opens a file of the processed folder declares it in CHAIN."""
    for nb in run.notebooks():
        source = "\n".join(c.source for c in run.read(nb).cells if c.cell_type == "code")
        opened = set(re.findall(r'processed\(out\) / "([^"]+)"', source)) | ({"panel.csv"} if "panel.load(" in source else set())
        assert opened <= {name.rsplit("/", 1)[-1] for name in paths.CHAIN[nb.stem][0]}, nb.stem


def test_a_rerun_copies_inputs_no_setting_changes_and_runs_producers_a_setting_changes():
    panel = paths.PANEL[0]
    # 08's bootstrap settings do not change the panel notebook 02 writes: the committed one is read.
    assert run.plan(["08_heterogeneity"], {"reps": 999, "seed": 7}) == (["08_heterogeneity"], [panel])
    # The scorecard reads the estimates of 05-08, which another TFP measure changes: they run too.
    # The multiverse's numbers it shows do not depend on the measure chosen (notebook 11 has no such
    # setting): the committed ones are read.
    multiverse = [name for name in paths.CHAIN["09_replication_scorecard"][0] if "/11_" in name]
    assert run.plan(["09_replication_scorecard"], {"tfp": "tfp_solow"}) == (
        ["05_baseline", "06_robustness", "07_moderation", "08_heterogeneity", "09_replication_scorecard"],
        [panel, *multiverse])
    # A measure named as its default changes nothing: as with no setting, the committed estimates are read.
    assert run.plan(["09_replication_scorecard"], {"tfp": "tfp"}) == run.plan(["09_replication_scorecard"], {})
    assert run.plan(["09_replication_scorecard"], {})[0] == ["09_replication_scorecard"]
    # A significance level changes only the scorecard: the committed estimates are read.
    ran, copied = run.plan(["09_replication_scorecard"], {"alpha": 0.01})
    assert ran == ["09_replication_scorecard"] and len(copied) == 1 + 2 * len(paths.SCORED) + 2 and len(multiverse) == 2
    # Everything: nothing copied.
    assert run.plan(list(paths.CHAIN), {})[1] == []


def test_strip_removes_run_stamps(tmp_path):
    path = notebook(tmp_path / "01_x.ipynb", "print(1)")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["papermill"] = {"duration": 0.1}
    nbformat.write(nb, path)
    run.strip(path)
    text = path.read_text()
    assert "2026-01-01" not in text and "duration" not in text and "papermill" not in text


def test_strip_joins_a_stream_split_into_pieces(tmp_path):
    """A print whose line end arrived as a second output is stored as the one output it is."""
    path = notebook(tmp_path / "01_x.ipynb", "print(1)")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="baseline p = 0.146"),
                           new_output("stream", name="stdout", text="\n"),
                           new_output("stream", name="stderr", text="a warning\n"),
                           new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
                           new_output("stream", name="stdout", text="after\n")]
    nbformat.write(nb, path)
    run.strip(path)
    outputs = nbformat.read(path, as_version=4).cells[1].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "baseline p = 0.146\n"), ("stream", "stderr", "a warning\n"),
        ("execute_result", None, None), ("stream", "stdout", "after\n")]


def test_a_failed_run_leaves_the_notebook_untouched_and_keeps_the_partial_one(tmp_path):
    source = notebook(tmp_path / "02_fails.ipynb", "print('before')", "1 / 0")
    before = source.read_bytes()
    partial = tmp_path / "build" / "partial" / "02_fails.ipynb"
    with pytest.raises(SystemExit, match=r"02_fails.ipynb: cell 3 failed with ZeroDivisionError"):
        run.execute(source, source, {}, partial)  # in place, as make reproduce runs it
    assert source.read_bytes() == before
    kept = nbformat.read(partial, as_version=4)
    ran = [c for c in kept.cells if c.cell_type == "code" and c.source == "print('before')"]
    assert ran[0].outputs[0]["text"] == "before\n"


def test_the_real_error_is_kept_when_the_failed_notebook_cannot_be_stripped(tmp_path, monkeypatch):
    source = notebook(tmp_path / "02_fails.ipynb", "1 / 0")

    def full_disk(path):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(run, "strip", full_disk)
    with pytest.raises(SystemExit, match=r"cell 2 failed with ZeroDivisionError.*\n.*left as written: OSError"):
        run.execute(source, tmp_path / "out.ipynb", {}, tmp_path / "partial.ipynb")
    assert not (tmp_path / "out.ipynb").exists()


def test_a_notebook_that_is_not_json_is_named_in_one_line(tmp_path):
    path = tmp_path / "03_x.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(SystemExit) as stop:
        run.defaults(path)
    assert str(path) in str(stop.value) and "not a valid notebook" in str(stop.value)
    assert "\n" not in str(stop.value)


def test_schedule_waits_for_what_an_item_needs_and_reports_every_failure():
    started, finished = [], []

    def work(item):
        started.append(item)
        if item in ("a", "c"):
            raise SystemExit(f"{item} failed")
        finished.append(item)
    items = {"a": set(), "c": set(), "b": {"a"}, "d": set(), "e": {"d"}}
    failed, skipped = run.schedule(items, work)
    assert sorted(failed) == ["a", "c"] and str(failed["c"]) == "c failed"
    assert skipped == ["b"] and finished.index("d") < finished.index("e")


def test_schedule_finds_what_a_failure_leaves_unrun_in_any_order_and_refuses_needs_that_never_come():
    def work(item):
        if item == "a":
            raise SystemExit("a failed")
    failed, skipped = run.schedule({"d": {"c"}, "c": {"b"}, "b": {"a"}, "a": set(), "e": set()}, work)
    assert list(failed) == ["a"] and skipped == ["b", "c", "d"]
    with pytest.raises(ValueError, match="needed but not scheduled: x"):
        run.schedule({"a": {"x"}}, work)
    with pytest.raises(ValueError, match=r"never ready \(they need each other\): b, c"):
        run.schedule({"e": set(), "b": {"c"}, "c": {"b"}}, work)


def test_a_kernel_started_by_a_worker_holds_ctrl_c_until_it_runs_then_takes_it_as_usual(tmp_path):
    """A Ctrl-C sent to the process group while a kernel was being forked killed it ("Kernel died
    before replying to kernel_info"). The workers block SIGINT, so a kernel forked there starts with
    it blocked (pending, not fatal); the kernel then unblocks it and leaves no name behind."""
    source = notebook(tmp_path / "01_mask.ipynb", "print('signal' in dir())",
                      "import signal\nprint(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))")
    worker_masks = []

    def work(item):
        worker_masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))
        run.execute(source, tmp_path / "out.ipynb", {})
    assert run.schedule({"a": set()}, work) == ({}, [])
    assert signal.SIGINT in worker_masks[0] and signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    printed = [c.outputs[0]["text"] for c in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[1:]]
    assert printed == ["False\n", "False\n"]


def test_the_runner_s_kernels_listen_on_sockets_of_their_own_removed_when_they_stop(tmp_path):
    """No TCP port for two kernels starting at once to race for ("Address already in use")."""
    source = notebook(tmp_path / "01_sockets.ipynb", "from ipykernel.connect import get_connection_info\n"
                      "info = get_connection_info(unpack=True)\nprint(info['transport'], info['ip'])")
    run.execute(source, tmp_path / "out.ipynb", {})
    transport, ip = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[1].outputs[0]["text"].split()
    assert transport == "ipc" and Path(ip).parent == Path(tempfile.gettempdir())
    assert not list(Path(ip).parent.glob(f"{Path(ip).name}*"))


@pytest.mark.parametrize("items, failing, left", [
    ({"a": set(), "b": {"a"}}, set(), False),  # b is the last: the run is complete
    ({"a": set(), "b": {"a"}, "c": {"b"}}, set(), True),  # c could still run
    ({"a": set(), "b": {"a"}, "c": {"b"}}, {"b"}, False),  # c needs the failed b: nothing could run
], ids=["last", "one left", "none could run"])
def test_ctrl_c_lets_the_running_items_finish_and_stops_the_run_only_if_one_could_still_run(
        monkeypatch, capsys, items, failing, left):
    """Ctrl-C while b runs (the KeyboardInterrupt a signal raises in the main thread's wait): a ends
    only once the first wait has begun, and the second wait, the first with b submitted, is interrupted."""
    started, ended, waits, b_started, interrupted = [], [], [], threading.Event(), []

    def work(item):
        started.append(item)
        b_started.set() if item == "b" else None
        wait_began.wait(10) if item == "a" else None
        if item in failing:
            raise SystemExit(f"{item} failed")
        ended.append(item)
    real, wait_began = run.wait, threading.Event()

    def wait(futures, return_when="ALL_COMPLETED"):
        waits.append(return_when)
        wait_began.set()
        if waits.count(FIRST_COMPLETED) == 2 and not interrupted and b_started.wait(10):
            interrupted.append(True)
            raise KeyboardInterrupt
        return real(futures, return_when=return_when)
    monkeypatch.setattr(run, "wait", wait)
    if left:
        with pytest.raises(KeyboardInterrupt):
            run.schedule(items, work)
    else:
        failed, skipped = run.schedule(items, work)
        assert (sorted(failed), skipped) == ((["b"], ["c"]) if failing else ([], []))
        assert "nothing else could start" in capsys.readouterr().err
    assert interrupted and started == ["a", "b"] and ended == [i for i in started if i not in failing]  # b finished


def test_ctrl_c_while_an_item_starts_lets_those_running_finish(monkeypatch, capsys):
    """The KeyboardInterrupt a Ctrl-C raises as b is about to start, a running (not in wait)."""
    ended, a_started = [], threading.Event()

    class Pool(run.ThreadPoolExecutor):
        def submit(self, fn, item):
            if item == "b" and a_started.wait(10):
                raise KeyboardInterrupt
            return super().submit(fn, item)

    def work(item):
        a_started.set()
        time.sleep(0.2)  # still running when b is about to start
        ended.append(item)
    monkeypatch.setattr(run, "ThreadPoolExecutor", Pool)
    with pytest.raises(KeyboardInterrupt):
        run.schedule({"a": set(), "b": set(), "c": {"a"}}, work)
    assert ended == ["a"] and "interrupted: letting a finish" in capsys.readouterr().err


def test_a_signal_while_an_item_is_submitted_waits_until_it_is_known_as_running(monkeypatch, capsys):
    """A real SIGINT inside submit, once b's work is queued: b is named among those running, both
    finish, and c (after a) is left. Held until submit returns, the interrupt cannot lose b."""
    ended, a_started = [], threading.Event()

    class Pool(run.ThreadPoolExecutor):
        def submit(self, fn, item):
            future = super().submit(fn, item)
            if item == "b" and a_started.wait(10):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)  # the signal is handled here, before submit returns
            return future

    def work(item):
        a_started.set()
        time.sleep(0.3)
        ended.append(item)
    monkeypatch.setattr(run, "ThreadPoolExecutor", Pool)
    before = signal.getsignal(signal.SIGINT)  # ignored where the tests were started in a shell's background
    with pytest.raises(KeyboardInterrupt):
        run.schedule({"a": set(), "b": set(), "c": {"a"}}, work)
    assert sorted(ended) == ["a", "b"] and "interrupted: letting a, b finish" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before  # restored


def test_a_second_run_in_the_same_checkout_is_refused(tmp_path):
    with run.lock(tmp_path):
        with pytest.raises(SystemExit, match=r"another run is using this checkout \(pid \d+, started"):
            with run.lock(tmp_path):
                pass
    with run.lock(tmp_path):  # released
        pass


def test_the_notebooks_others_wait_for_start_first_then_the_longest(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "DURATIONS", tmp_path / "durations.json")
    (tmp_path / "durations.json").write_text('{"04_correlation": 60.0, "03_descriptives": 1.0}')
    order = list(run.chain([nb.stem for nb in run.notebooks()]))
    assert order.index("04_correlation") < order.index("03_descriptives")  # longer last time
    assert order[0] == "02_variables"  # seven notebooks read its panel
    assert max(map(order.index, ["05_baseline", "08_heterogeneity"])) < order.index("03_descriptives")  # 09 waits for 05-08


def test_make_test_puts_files_that_exist_first():
    """A renamed long test file would fall back to its place in collection order without a word."""
    from tests.conftest import LONGEST_FIRST
    assert [name for name in LONGEST_FIRST if not (paths.ROOT / name).is_file()] == []


def test_the_makefile_sets_the_blas_threads_the_runner_sets():
    """make test and make lab start kernels the runner does not: the Makefile exports the same thread
    counts (numpy reads them when it is first imported, before any helper could set them)."""
    exported = dict(re.findall(r"^export (\w+) := (\S+)$", (paths.ROOT / "Makefile").read_text(), flags=re.M))
    threads = {k: v for k, v in run.BLAS.items() if k.endswith("_NUM_THREADS")}
    assert threads and {k: exported.get(k) for k in threads} == threads


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_lab_gives_its_kernels_the_path_the_runner_gives_its_own(monkeypatch):
    """JupyterLab's kernels import the helpers of this checkout first, as the runner's do
    (kernel_environment): make lab's command, its program replaced by printenv, under another path."""
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    lines = subprocess.run(["make", "-n", "-s", "--no-print-directory", "lab"], cwd=paths.ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    command = next(line for line in lines if "jupyter lab" in line).split(" .venv/bin/jupyter lab")[0]
    shown = subprocess.run(["sh", "-c", f"{command} printenv PYTHONPATH"], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == run.kernel_environment()["PYTHONPATH"] == f"{paths.ROOT}:/elsewhere"


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("flock") is None, reason="no make or flock")
def test_make_clean_is_refused_while_a_run_holds_the_lock(tmp_path):
    """On a copy of the Makefile: make clean would delete the files a running run writes."""
    shutil.copy(paths.ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "build" / "rerun").mkdir(parents=True)
    with run.lock(tmp_path):
        done = subprocess.run(["make", "-s", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "a run is using this checkout (pid " in done.stderr, done.stderr
    assert (tmp_path / "build" / "rerun").is_dir()
    assert subprocess.run(["make", "-s", "clean"], cwd=tmp_path).returncode == 0
    assert not (tmp_path / "build").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_the_makefile_picks_the_blas_kernels_the_runner_picks():
    """The tests compute what the notebooks read (the forensic grid's cache): the same OpenBLAS kernels.
    (Run without the variables a surrounding make would pass down.)"""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    shown = subprocess.run(["make", "-s", "--no-print-directory", "--eval", "blas-kernels: ; @echo \"$$OPENBLAS_CORETYPE\"",
                            "blas-kernels"], cwd=paths.ROOT, capture_output=True, text=True, check=True, env=env)
    assert shown.stdout.strip() == run.BLAS.get("OPENBLAS_CORETYPE", "")


@pytest.mark.parametrize("settings, message", [({"reps": 5}, "reps=5: must lie between 99 and 99999"),
                                               ({"years": [2021, 2011]}, "increasing values"),
                                               ({"digital": "digital_typo"}, r"choose one of .*in all, .*10_grid.csv lists them"),
                                               ({"draws": 19.5}, r"draws=19.5: expected an integer like the default 99$"),
                                               ({"years": 2013}, r"years=2013: expected a list like the default \[2011, 2021\]$"),
                                               ({"alpha": "0.1"}, r"alpha='0.1': expected a number .*; if you passed it with "
                                                                  r"papermill -p, give it as YAML: -y \"alpha: 0.1\"$"),
                                               ({"draws": "abc"}, r"draws='abc': expected an integer like the default 99$"),
                                               ({"years": "[2019, 2021]"}, r"-y \"years: \[2019, 2021\]\"$")])
def test_a_notebook_checks_its_settings_as_the_runner_does(settings, message):
    """A parameters cell edited in JupyterLab or set by papermill -p meets the runner's checks."""
    with pytest.raises(ValueError, match=message):
        run.check_settings(settings)
    run.check_settings({"tfp": "", "digital": "digital_pca", "reps": 999, "years": [2012, 2020]})  # empty: the default
    run.check_settings({"winsor_share": 0})  # papermill -p winsor_share 0: an integer where a number is wanted


def test_a_notebook_run_with_other_settings_says_its_text_quotes_the_default_run(capsys):
    run.check_settings({**config.PARAMETERS, "digital": "digital"})  # the defaults; a measure may be named
    assert capsys.readouterr().out == ""
    run.check_settings({"tfp": "tfp_solow", "years": [2013, 2020], "reps": config.PARAMETERS["reps"]})
    assert capsys.readouterr().out == ("settings other than the defaults: tfp='tfp_solow', years=[2013, 2020]; the text of "
                                       "this notebook quotes the numbers of the default run, the outputs are this run's\n")
