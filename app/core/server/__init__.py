"""A project on a PostgreSQL server: coders are database roles and the server enforces blind
coding by row-level security (`security`), managed through `roles`. Qt-free; psycopg 3 only."""
