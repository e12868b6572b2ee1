"""Reports: one context per assessment, rendered to the page, PDF, Excel and JSON;
the offline fill-in workbook."""
