"""The pip path and the conda path install the same pinned packages."""
import re

from helpers import paths


def pins(text):
    return dict(re.findall(r"^\s*(?:-\s*)?([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.M))


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
