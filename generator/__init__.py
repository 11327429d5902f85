"""Conflict Minerals Report website generator."""

__version__ = "0.1.0"
