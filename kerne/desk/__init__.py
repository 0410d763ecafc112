"""The coordinator's desk: the organisation tree, the ambassador registry, imports and their file formats,
process requests, calendars, and planning the pairs."""
