//! HTTP transports (filled in next).
