"""`python -m helpers.extract`: rebuild data/raw/ from the source workbooks."""
import sys

from ..files import InputError
from . import extract_all

try:
    print(extract_all().to_string(columns=["name", "unit", "years", "cells_2011_2021"], index=False))
except InputError as error:  # a damaged source, extract or register: the message names the file and the problem
    sys.exit(f"make extract: {error}")
