"""The shared core: settings, database engines, text normalisation, the vocabulary, dates,
validation of what people type, office hours. Imports nothing else of the project."""
