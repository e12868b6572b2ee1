"""Forms drawn dozens of times on one page render their widgets through Jinja2.

The action plan draws an edit form and a comment form for each of its forty-odd actions:
with Django's template engine, drawing their widgets was three quarters of the page's
time. Django's Jinja2 form renderer draws the same markup from Django's own Jinja2 copies
of the widget templates several times faster. It is set per form class
(``default_renderer``), not site-wide: the admin's widgets have Django templates only.
"""

from __future__ import annotations

from django.forms.renderers import Jinja2

#: One renderer (and one Jinja2 environment with its compiled templates) per process.
FAST_RENDERER = Jinja2()
