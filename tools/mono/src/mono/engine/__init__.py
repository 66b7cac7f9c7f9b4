"""Doing work on projects: the runner, cache keys, locking, installing, testing, images, publishing,
scaffolding, the health checks, and the transaction that edits files and relocks or puts them back."""
