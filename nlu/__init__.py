"""Natural-language understanding: the Rasa NLU service and what the bot needs around it.

Modules here that the bot imports (``parse``, ``vietnamese``, ``dossier_codes``,
``keywords``, ``client``) must not import Rasa; Rasa's process imports ``nlu.components``.
"""
