"""The one door to the city graph: every Cypher query Yiwang runs is a named, typed function in a topic
module here (``entities``, ``assets``, ``places``, ``responsibility``, ``gazetteer``, ``cases``, ``corpus``,
``stats``, ``health``); callers import the function from its topic module.

Labels are never taken from user text: they come from the id shape (``graph.ids``) or the schema
whitelist (``graph.schema``), and every value travels as a query parameter.
"""
