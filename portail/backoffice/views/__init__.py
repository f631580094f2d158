"""The back office's screens at /agence/, one module per family: authentication, landlords,
receipts, campaign, outbox. Thin: each reads the request, calls a service or selector of the
app that owns the data, renders."""
