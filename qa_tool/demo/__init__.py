"""The demo: fictional institutions, log-ins, two cycles of assessments and action plans.

Its content is data files (``data/``) loaded through the importers and services real data
go through (``loader.load``); the ``seed_demo`` command of this app calls it. An app only
for the command: it sits above every layer, since it feeds all of them.
"""
