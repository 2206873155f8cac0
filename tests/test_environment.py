"""The pip path and the conda path install the same pinned packages."""
from helpers import paths
from helpers.environment import pins


def test_environment_yml_and_requirements_carry_the_same_pins():
    pip = pins((paths.ROOT / "requirements.txt").read_text())
    conda = pins((paths.ROOT / "environment.yml").read_text())
    assert pip == conda
    for needed in ["jupyterlab", "pandas", "statsmodels", "linearmodels", "matplotlib", "seaborn",
                   "papermill", "nbval", "pytest"]:
        assert needed in pip


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version
    for name, pinned in pins((paths.ROOT / "requirements.txt").read_text()).items():
        assert version(name) == pinned, name


def test_constraints_hold_the_direct_pins_and_the_installed_environment():
    """constraints.txt agrees with the direct pins and with what is installed."""
    from importlib.metadata import distributions
    constraints = {k.lower(): v for k, v in pins((paths.ROOT / "constraints.txt").read_text()).items()}
    for name, pinned in pins((paths.ROOT / "requirements.txt").read_text()).items():
        assert constraints[name.lower()] == pinned, name
    installed = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in distributions()}
    for name, pinned in constraints.items():
        assert installed.get(name.replace("_", "-")) == pinned, name


def test_a_package_removed_or_damaged_after_the_build_is_named(monkeypatch):
    import importlib.metadata
    from types import SimpleNamespace

    from helpers import environment
    assert environment.problems() == []  # every file of every package checked once
    # the others as installed, without their files (checked above): only seaborn's fate is at stake
    others = [SimpleNamespace(metadata={"Name": d.metadata["Name"]}, version=d.version, files=None)
              for d in importlib.metadata.distributions() if d.metadata["Name"] != "seaborn"]
    monkeypatch.setattr(environment, "distributions", lambda: others)
    assert environment.problems() == ["seaborn is not installed"]

    class Damaged:  # what a distribution looks like once one of its files was deleted
        metadata = {"Name": "seaborn"}
        version = importlib.metadata.version("seaborn")
        files = [importlib.metadata.PackagePath("seaborn/no_such_module.py")]
    Damaged.files[0].dist = importlib.metadata.distribution("seaborn")
    monkeypatch.setattr(environment, "distributions", lambda: others + [Damaged])
    assert environment.problems() == ["seaborn has files missing"]


def test_environment_yml_is_a_conda_spec_binder_can_build():
    """Parsed as YAML: one conda environment with Python 3.11 and pip, whose pip section installs the
    pins under constraints.txt and the project itself (Binder builds it from the repository root)."""
    import yaml
    spec = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    assert set(spec) == {"name", "channels", "dependencies"}
    assert spec["channels"] == ["conda-forge"]
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda and "pip" in conda
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    assert pip[0] == "-c constraints.txt" and pip[-1] == "-e ."
    assert pins("\n".join(pip)) == pins((paths.ROOT / "requirements.txt").read_text())
