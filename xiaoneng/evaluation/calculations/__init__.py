"""The calculations, one module per source app; importing this package registers them all (indicators.load)."""

from . import cards, cases, others  # noqa: F401
