"""mono: one front door for a Poetry monorepo."""

__version__ = "0.1.0"
