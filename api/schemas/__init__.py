"""The wire models: request and response bodies of the REST API, imported by the server and the SDK
alike. Pydantic only: importing them loads no server, driver or model."""
