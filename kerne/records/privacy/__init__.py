"""Personal data: what Kerne keeps about a person, handed out on request (GDPR art. 15 and 20),
anonymised when they leave (art. 17) with the statistics intact, and removed when it has been
kept long enough (art. 5(1)(e)). See docs/record-of-processing.md."""
