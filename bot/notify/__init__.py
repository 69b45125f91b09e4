"""Notices the bot sends on its own: rules (dossier changes → outbox rows), the overdue sweep,
rendering, dispatch through :mod:`bot.delivery`, and the scheduler's jobs."""
