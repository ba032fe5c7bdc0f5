"""1177 Inkorg stand-in: AddMessage 2.0, threads by businessObjectId, the DocBook subset."""
