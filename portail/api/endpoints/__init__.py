"""The API's operations, one module per resource; each calls the domain's selectors and
services, the same the screens call."""
