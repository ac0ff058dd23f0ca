"""The JSON Schemas of diffreport's contracts (draft 2020-12), kept here beside their documentation
(docs/json.md) and installed as the package ``diffreport.schema``:
``importlib.resources.files("diffreport.schema") / "diffreport-1.schema.json"``."""
