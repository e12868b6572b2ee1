"""Pages for programmes and courses: the officers' units page and contributor assignments,
review campaigns, and the institution's roll-up. Above the layers (like ``qa_tool.access``):
they call services and selectors of the rooms below."""
