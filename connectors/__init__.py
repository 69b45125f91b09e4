"""One module per platform. Connectors know HTTP and platform formats, not procedures or dossiers."""
