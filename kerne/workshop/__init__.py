"""The live workshop: a visit run on a projector, a facilitator console and phones."""
