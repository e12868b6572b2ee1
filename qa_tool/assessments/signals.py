"""What assessments announce, so that higher layers (benchmarks' stored summaries) can
follow without the assessments package importing them."""

from django.dispatch import Signal

# Sent inside the transaction that changed an assessment's status, with ``assessment``.
status_changed = Signal()
