"""The EMIS connection: its address and four credentials (``EmisConnection``
in ``emis.models``), the page under Разное → Стыковки, the API, and the entry
in the integrations registry that ``EmisConfig.ready()`` registers."""
