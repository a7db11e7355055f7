//! Progress frames (PROTOCOL 3.3), and telling them from replies.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{RemoteError, Reply};

/// One progress report of a running `exec` that asked for progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Work done so far, in the code's own unit.
    pub done: f64,
    /// The total of the same unit, when the code knows it.
    #[serde(default)]
    pub total: Option<f64>,
    /// A short human description of the current step.
    #[serde(default)]
    pub message: Option<String>,
}

/// A progress frame: the request it belongs to and the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressFrame {
    /// The id of the running request.
    pub id: u64,
    /// The report.
    pub progress: Progress,
}

/// Any frame the addon sends: a reply, or progress of a request in flight.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The one reply of a request.
    Reply(Reply),
    /// A progress report; the request is still running.
    Progress(ProgressFrame),
}

/// Every field either kind of frame may have, parsed in one pass.
#[derive(Deserialize)]
struct AnyFrame {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    ok: Option<bool>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<RemoteError>,
    #[serde(default)]
    progress: Option<Progress>,
}

impl Incoming {
    /// Parses a frame payload from the addon: a reply iff it has `ok`, else
    /// it must be a progress frame with an id (PROTOCOL 3.3).
    pub fn parse(payload: &[u8]) -> Result<Incoming, String> {
        let frame: AnyFrame = serde_json::from_slice(payload)
            .map_err(|e| format!("bad frame from the addon: {e}"))?;
        match (frame.ok, frame.progress, frame.id) {
            (Some(ok), _, id) => Reply {
                id,
                ok,
                result: frame.result,
                error: frame.error,
            }
            .checked()
            .map(Incoming::Reply),
            (None, Some(progress), Some(id)) => {
                Ok(Incoming::Progress(ProgressFrame { id, progress }))
            }
            (None, Some(_), None) => Err("a progress frame without a request id".into()),
            (None, None, _) => Err("a frame that is neither a reply (no `ok`) nor progress".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_with_ok_is_a_reply_and_one_without_is_progress() {
        let reply = Incoming::parse(br#"{"id":1,"ok":true,"result":{"state":"dropped"}}"#);
        assert!(matches!(
            reply,
            Ok(Incoming::Reply(Reply {
                id: Some(1),
                ok: true,
                ..
            }))
        ));
        let progress = Incoming::parse(br#"{"id":2,"progress":{"done":1,"total":null}}"#).unwrap();
        assert_eq!(
            progress,
            Incoming::Progress(ProgressFrame {
                id: 2,
                progress: Progress {
                    done: 1.0,
                    total: None,
                    message: None
                },
            })
        );
        assert!(Incoming::parse(br#"{"id":3}"#).is_err());
        assert!(Incoming::parse(br#"{"id":null,"progress":{"done":1}}"#).is_err());
        assert!(Incoming::parse(br#"{"id":4,"progress":{"total":1}}"#).is_err());
        // A reply whose ok disagrees with its fields stays an error, as in Reply::parse.
        assert!(
            Incoming::parse(br#"{"id":5,"ok":true,"error":{"code":"x","message":"y"}}"#).is_err()
        );
    }
}
