"""Tasks: each user's todo items, with search, sorting, cursor pages and ETags."""
