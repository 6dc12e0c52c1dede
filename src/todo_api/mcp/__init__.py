"""The MCP endpoint (/mcp): AI agents manage the caller's tasks through the official SDK.

`routes` is what the route table imports and stays free of the SDK; `tools` is the
task surface in msgspec (schemas and calls into tasks.service); `server` is the only
module that imports `mcp`, loaded on the first /mcp request.
"""
