"""The outside world: packaged data files, clock, browser launcher."""
