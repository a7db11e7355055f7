//! MCP server plumbing shared by every server in this workspace.
