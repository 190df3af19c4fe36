"""Pure domain: values and calculations, no database. Nothing here imports SQLAlchemy."""
