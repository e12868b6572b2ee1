"""Rubrics as workbooks, for quality officers who author frameworks in a spreadsheet:
``export`` writes a rubric (or the blank template), ``reading`` reads one back through the
same validation as a YAML file; ``layout`` is what both agree on."""

from .export import rubric_workbook, template_workbook
from .reading import read_rubric_workbook

__all__ = ["read_rubric_workbook", "rubric_workbook", "template_workbook"]
