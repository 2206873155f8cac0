"""`python -m helpers.extract`: rebuild data/raw/ from the source workbooks."""
from . import extract_all

print(extract_all().to_string(columns=["name", "unit", "years", "cells_2011_2021"], index=False))
