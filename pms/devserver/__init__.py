"""``manage.py runserver`` that reads chunked request bodies.

The embedded product runs on runserver (``scripts/run.sh``). Django's
runserver hands an app no byte of a body without ``Content-Length``, so a
chunked webhook could be neither verified nor refused as too large. This app
(listed before ``django.contrib.staticfiles``, whose runserver it extends)
decodes the chunks and says so with ``wsgi.input_terminated``, as gunicorn
does; ``pms.request_body`` reads such a body bounded. Nothing else changes.
"""
