"""The catalogue: foreign exhibitions, support programmes and the offers made at each show."""
