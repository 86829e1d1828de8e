"""The read side: one function per view, for every door (the API, the pages, the command line).

Each takes the context, the actor and the query, decides through the access policy,
records the access event (``service.application.reading``) and returns a view model.
"""
