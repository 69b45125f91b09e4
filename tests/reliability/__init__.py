"""Reliability: notices and replies reach their users exactly once, whatever happens to the bot."""
