"""Pure logic: models, opening hours, orientation rules. No I/O, no clock, no framework."""
