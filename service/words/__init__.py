"""The words Suivi shows people: one vocabulary for the pages and the printed documents.

French (fr-BE) first, English second. Every value a reader sees goes through here: a
catalogue key becomes a message (``locale/<language>.po``, read through Babel), an enumeration
value a word, an event a sentence naming who did it (``events``, ``values``), a date, a number,
a country or a language the way the reader writes it (``formatting``), and the record of
processing its words (``register``). ``translator.Translator`` is the ``t`` of every template.
It sits below the doors (pages, API, command line) and the GDPR toolkit, which all print
through it, and imports only ``domain`` and Babel.
"""
