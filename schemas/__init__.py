"""JSON Schemas bundled with labelkit (installed as the package ``labelkit.schemas``)."""
