"""`python -m helpers.extract`: rebuild data/raw/ from the source workbooks."""
import sys

from ..sources import ExtractError
from . import extract_all

try:
    print(extract_all().to_string(columns=["name", "unit", "years", "cells_2011_2021"], index=False))
except ExtractError as error:  # the message names the series, the file and the problem
    sys.exit(f"make extract: {error}")
