"""The provider-free core: transport (the only aiohttp importer), retry, errors, polling,
clock, events, journal, budget, downloads, validation primitives and the base client.

It imports no provider package (an import contract checks this); providers reach it through
:class:`~suno_async._core._base_client.ClientCore`.
"""
