"""Report renderers (PDF, Excel, JSON) built on one report context; see issue "Reports"."""
