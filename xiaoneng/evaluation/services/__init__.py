"""Writes of the evaluation app: schemes, evaluations, bulletins, sanctions (one module each)."""
