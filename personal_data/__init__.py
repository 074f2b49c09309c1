"""Personal data under 152-FZ: who read a guest's data, masking by role,
retention, erasure and export. The PMS's copy of passport data is ours to
protect; this app holds the rules that apply to all of it."""
