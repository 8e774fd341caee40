"""Runnable examples that the book's pages include; each one has a test."""
