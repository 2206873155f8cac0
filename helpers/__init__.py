"""Helpers for the compendium reproducing 'Digital economy, virtual agglomeration and TFP'
(30 Chinese provinces, 2011-2021). Notebooks narrate; the logic lives here."""
import sys

# jsonschema, which nbformat, papermill and nbval validate notebooks with, imports rfc3987_syntax when it
# is installed (a dependency of Jupyter's), and that module builds about 35 Earley parsers at import:
# 2-3 s in every process that reads a notebook, for the "iri" formats no notebook schema uses
# (python-jsonschema/jsonschema#1428). Marked absent, it is skipped, as on an install without it.
sys.modules.setdefault("rfc3987_syntax", None)
