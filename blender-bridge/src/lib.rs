//! The bridge between MCP and Blender.
