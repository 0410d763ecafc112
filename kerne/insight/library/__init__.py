"""The core-task library, "Kerneopgaver på tværs": locked core tasks, searchable, by target group."""
