"""The team behind the hours: people and their time, utilisation, margin, and capacity against the pipeline."""
