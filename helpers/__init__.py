"""Helpers for the compendium reproducing 'Digital economy, virtual agglomeration and TFP'
(30 Chinese provinces, 2011-2021). Notebooks narrate; the logic lives here."""
