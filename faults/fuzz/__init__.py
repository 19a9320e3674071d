"""`make fuzz`: schemathesis on every route of the OpenAPI schema, hypothesis on the event validator and
on POST /v1/events bodies, and injection strings in every text field, on each database.
"""
