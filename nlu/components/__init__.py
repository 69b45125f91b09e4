"""Custom Rasa components. Imported only by the Rasa process (``.venv-nlu``)."""
