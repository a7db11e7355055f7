//! The envmgr library.
