"""The webhook delivery log: every delivery's outcome, for EMIS support,
admins (API, Стыковки) and the guest card. See docs/emis.md, "Delivery log"."""
