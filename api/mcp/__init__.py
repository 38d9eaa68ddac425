"""The MCP server: the memory tools and resources over stdio (``memcubedb mcp``) and streamable
HTTP (``POST /mcp``), each call run through the REST routes of :mod:`memcubedb.api.server`."""
