"""The demo: fictional institutions, log-ins, two cycles of assessments and action plans.

Not an app: it has no models, templates or URLs, only data files (``data/``) and the code
that loads them through the importers and services real data go through. The
``seed_demo`` command (in the institutions app) calls ``load``.
"""

from .loader import DEMO_PASSWORD, Summary, load

__all__ = ["DEMO_PASSWORD", "Summary", "load"]
