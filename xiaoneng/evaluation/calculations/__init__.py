"""The calculations, one module per source app; importing this package registers them all (indicators.load)."""

from . import cards, cases, complaints, inspections, others, ratings, sanctions, surveys  # noqa: F401
