"""Placeholder."""
SERIES = []
