"""The conversation: from a citizen's message to the bot's replies. No platform JSON here."""
