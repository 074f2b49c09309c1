"""Guest names: the name policy (which script the main name fields take),
both directions of transliteration, the policy's preview and API, and
re-applying a switched policy to existing profiles."""
