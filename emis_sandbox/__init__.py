"""EMIS sandbox: a stand-alone stand-in for EMIS Service.

It plays "another company's server": it implements ``/work/shared/emis-api-v1.md``
(contract API, one-time upload page, signed webhooks) with the standard library,
``requests`` and ``mrz`` only, and never imports Django or the PMS.
Start it with ``python -m emis_sandbox``; see ``docs/sandbox.md``.
"""
