"""Every sentence the bot says, in Vietnamese (NFC). Code holds no Vietnamese sentences."""
