"""The staff console (/staff): officers, community digital team helpers and admins sign in
beside the bot; every view of a dossier's personal data is audited."""
