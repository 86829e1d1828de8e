"""Page handlers, one module per kind of work; each calls the same services as the JSON routes."""
