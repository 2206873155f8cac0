"""Is .venv still the environment the pins describe? `make` asks before every target that runs code:
a package removed, changed or damaged after the build is named, with the way out. And the facts of
the environment a run used, for its record, with the kernels OpenBLAS runs."""
import os
import platform
import re
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

from . import paths


def pins(text: str) -> dict[str, str]:
    """name -> version of every `name==version` line (requirements, constraints, environment.yml)."""
    return dict(re.findall(r"^\s*(?:-\s*)?([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.M))


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def problems() -> list[str]:
    """Every package of constraints.txt that is missing, at another version, or lacks a file it installed."""
    installed = {normal(d.metadata["Name"]): d for d in distributions()}
    found = []
    for name, pinned in pins((paths.ROOT / "constraints.txt").read_text()).items():
        dist = installed.get(normal(name))
        if dist is None:
            found.append(f"{name} is not installed")
        elif dist.version != pinned:
            found.append(f"{name} is {dist.version}, pinned {pinned}")
        elif any(f.suffix != ".pyc" and not f.locate().exists() for f in dist.files or []):
            found.append(f"{name} has files missing")
    return found


def openblas():
    """numpy's OpenBLAS in this process, through ctypes (its kernels and threads are fixed when numpy loads it)."""
    import ctypes
    import numpy
    found = list((Path(numpy.__path__[0]).parent / "numpy.libs").glob("libscipy_openblas*"))
    if len(found) != 1:
        raise RuntimeError(f"numpy {numpy.__version__} carries no OpenBLAS of its own (not the wheel of the pins?)")
    blas = ctypes.CDLL(str(found[0]))
    blas.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
    return blas


def openblas_kernels() -> str:
    """The kernels this process's OpenBLAS runs, by the core name it gives them, e.g. Haswell (chosen
    when numpy loads it: OPENBLAS_CORETYPE, else by the CPU)."""
    return openblas().scipy_openblas_get_corename64_().decode()


def kernels_with(environment: dict) -> str:
    """openblas_kernels of a new Python process with `environment`."""
    done = subprocess.run([sys.executable, "-c", "from helpers.environment import openblas_kernels; print(openblas_kernels())"],
                          env={**os.environ, **environment}, cwd=paths.ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def facts() -> dict:
    """The commit of the checkout and whether it had uncommitted changes (None outside a git checkout),
    the Python version, the platform, the BLAS settings (helpers.run.BLAS) and the version of every
    installed package."""
    def git(*args):
        done = subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": None if status is None else status != "",
            "python": platform.python_version(), "platform": platform.platform(),
            "blas": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))},
            "packages": dict(sorted((d.metadata["Name"], d.version) for d in distributions()))}


if __name__ == "__main__":
    broken = problems()
    for problem in broken:
        print(f"environment: {problem}", file=sys.stderr)
    sys.exit(1 if broken else 0)
