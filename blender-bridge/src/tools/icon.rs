//! The server's icon, for clients that show one next to its name.
//!
//! An SVG as a `data:` URI: it scales, needs no network, and costs its few
//! hundred bytes once, in `initialize`. Tools carry no icons: one per tool
//! would repeat those bytes in every `tools/list`, which an agent pays for on
//! every turn.

use base64::Engine;
use rmcp::model::Icon;

const SVG: &str = include_str!("icon.svg");

/// The server's icons (one scalable SVG).
pub(super) fn server_icons() -> Vec<Icon> {
    let data = base64::engine::general_purpose::STANDARD.encode(SVG);
    vec![Icon::new(format!("data:image/svg+xml;base64,{data}"))
        .with_mime_type("image/svg+xml")
        .with_sizes(vec!["any".to_owned()])]
}
