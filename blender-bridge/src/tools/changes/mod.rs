//! What a writer call changed: every tool not annotated read-only answers
//! with `changes` (datablocks added, removed and renamed; which aspects of
//! the remaining objects changed), without a line of its own.
//!
//! `call_tool` runs a writer call in a tracked scope (a task-local). The
//! first request that call sends to Blender carries a snapshot as its exec
//! `before` (PROTOCOL 4.3), so the snapshot is taken in the same main-thread
//! turn as the work starts, and every request of the call carries the diff
//! against it as its exec `after`, so the diff costs no round trip of its
//! own: the last request's diff is the call's `changes` (snapshot.py says
//! what is compared, why it is that cheap, and when one call's snapshot
//! serves the next). Only when the last request
//! brought no diff back (an addon without `exec_after`, a lost reply, a
//! batch, which diffs once at its end rather than after each step) does one
//! more request ask for it. A call that never reached Blender changed
//! nothing.
//!
//! Every request of a writer call goes through `run_snippet`,
//! `exec_guarded` or `execute_blender_code`'s own path, which is what puts
//! the steps on it; a request sent past them must not follow the call's
//! last one (render_animation's frame-range read comes first).
//!
//! Blender's depsgraph update records were measured as the other way and
//! rejected: evaluating the depsgraph after a parent, modifier or material
//! change takes seconds on 10,000 objects, and renames, `vertices.add`,
//! material edits and objects outside the scene leave no record.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use rmcp::ErrorData;
use serde_json::{json, Value};

use super::BlenderTools;
use crate::client::{Around, Step};
use crate::protocol::snippet_key;
use crate::{BridgeError, Snippet};

mod mirror;

use mirror::is_json_of;

/// The library every changes snippet loads: run once per Blender process
/// into a module of its own (load.py), so a step pays for its work only.
const LIBRARY: &str = concat!(
    include_str!("snapshot.py"),
    include_str!("take.py"),
    include_str!("diff.py")
);

/// The snapshot, for the `before` of a tracked call's first request.
pub(crate) static TAKE: LazyLock<Snippet> = LazyLock::new(|| {
    library_snippet(
        "changes_take",
        "",
        "changes_library.take(args, globals().get('job'))",
    )
});

/// A rollback checkpoint and the snapshot, for a guarded call's `before`.
pub(crate) static CHECKPOINT_AND_TAKE: LazyLock<Snippet> = LazyLock::new(|| {
    library_snippet(
        "checkpoint_changes_take",
        include_str!("../snippets/checkpoint.py"),
        "changes_library.take(args, globals().get('job'))",
    )
});

static DIFF: LazyLock<Snippet> = LazyLock::new(|| {
    library_snippet(
        "changes_diff",
        "",
        "result = changes_library.diff_step(args, globals().get('job'))",
    )
});

/// A snippet that runs `before`, loads the library (named after its hash,
/// so a newer server's never meets an older one's) and runs `entry`.
fn library_snippet(name: &'static str, before: &str, entry: &str) -> Snippet {
    let module = format!("blender_mcp_{}", snippet_key("changes", LIBRARY)).replace('-', "_");
    // A JSON string is a Python string literal too.
    let quoted = |text: &str| serde_json::to_string(text).expect("a string serialises");
    let code = format!(
        "{before}CHANGES_LIBRARY_NAME = {}\nCHANGES_LIBRARY = {}\n{}{entry}\n",
        quoted(&module),
        quoted(LIBRARY),
        include_str!("load.py"),
    );
    Snippet::new(name, code.leak())
}

/// Past this many listed names, `changes` gives counts instead.
const CAP: usize = 100;

/// Numbers the snapshots, so that each diff finds its own.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The ids of the writer calls in progress. A diff in an `after` step keeps
/// its snapshot, since another request of the call may follow, so each new
/// snapshot removes every snapshot of this process that is not in this
/// set: between calls Blender holds the last call's, and (snapshot.py) the
/// last diff's own. A list of ended calls would lose ids whenever the
/// request carrying it never ran its `before` (a cancel, a failed
/// checkpoint); the set of live ones cannot go stale.
static LIVE: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

tokio::task_local! {
    /// The writer call in progress, if any.
    static TRACKED: Tracked;
}

/// One writer call's snapshot: its id, whether a request has taken it,
/// whether Blender stopped answering during the call, what the diff of its
/// latest request answered, and whether each request diffs at all.
struct Tracked {
    id: String,
    taken: Arc<AtomicBool>,
    unanswered: Arc<AtomicBool>,
    latest: Arc<Mutex<Option<Result<Value, String>>>>,
    diff_at_end: AtomicBool,
}

/// A writer call's place in [`LIVE`], left however the call ends (a
/// cancelled call's future is dropped mid-way).
struct Live(String);

impl Live {
    fn new(id: &str) -> Self {
        LIVE.lock().unwrap().insert(id.to_owned());
        Live(id.to_owned())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.lock().unwrap().remove(&self.0);
    }
}

/// What this process's snapshot ids start with (see `tracking_changes`),
/// so that one server never removes another's from a shared Blender.
/// Computed once: getpid is a system call on every call of a writer.
fn owner() -> &'static str {
    static OWNER: LazyLock<String> = LazyLock::new(|| format!("{}-", std::process::id()));
    &OWNER
}

/// Notes a bridge failure of the writer call in progress. When Blender did
/// not answer (a timeout, a lost or refused connection), asking it for the
/// diff would only wait out another timeout: the call reports instead that
/// what changed is unknown.
pub(crate) fn note_failure(error: &BridgeError) {
    let unanswered = matches!(
        error,
        BridgeError::NoReply { .. }
            | BridgeError::ConnectionLost { .. }
            | BridgeError::Connect { .. }
    );
    if unanswered {
        let _ = TRACKED.try_with(|tracked| tracked.unanswered.store(true, Ordering::SeqCst));
    }
}

/// The args of the snapshot the next request must take in its `before`:
/// set once, for the first request of a writer call.
pub(crate) fn snapshot_due() -> Option<Value> {
    let id = TRACKED
        .try_with(|tracked| {
            (!tracked.taken.swap(true, Ordering::SeqCst)).then(|| tracked.id.clone())
        })
        .ok()
        .flatten()?;
    let live: Vec<String> = LIVE.lock().unwrap().iter().cloned().collect();
    Some(json!({ "changes_id": id, "owner": owner(), "live": live }))
}

/// The diff a request of a writer call runs as its `after`: the scene then
/// against the call's snapshot, which it keeps for the next request.
pub(crate) fn diff_step() -> Option<Step<'static>> {
    TRACKED
        .try_with(|tracked| {
            let due =
                tracked.taken.load(Ordering::SeqCst) && !tracked.diff_at_end.load(Ordering::SeqCst);
            due.then(|| Step {
                snippet: &DIFF,
                args: json!({ "changes_id": tracked.id, "cap": CAP, "keep": true }),
            })
        })
        .ok()
        .flatten()
}

/// The steps around a typed tool's request: the snapshot (first request)
/// and the diff.
pub(crate) fn around() -> Around<'static> {
    Around {
        before: snapshot_due().map(|args| Step {
            snippet: &TAKE,
            args,
        }),
        after: diff_step(),
    }
}

/// Notes what a request's `after` answered: the call's latest diff, or
/// none (then the call asks for it once it has ended).
pub(crate) fn note_after(after: &Option<Result<Value, String>>) {
    let _ = TRACKED.try_with(|tracked| *tracked.latest.lock().unwrap() = after.clone());
}

/// Makes the writer call in progress diff once, after its end, instead of
/// after each request: for a batch, whose steps would each pay a diff.
pub(crate) fn diff_once_at_end() {
    let _ = TRACKED.try_with(|tracked| tracked.diff_at_end.store(true, Ordering::SeqCst));
}

impl BlenderTools {
    /// Runs a tool call; when it `writes`, adds what it changed to the answer.
    pub(crate) async fn tracking_changes<F>(
        &self,
        writes: bool,
        call: F,
    ) -> Result<CallToolResponse, ErrorData>
    where
        F: Future<Output = Result<CallToolResponse, ErrorData>>,
    {
        if !writes {
            return call.await;
        }
        let id = format!("{}{}", owner(), NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let taken = Arc::new(AtomicBool::new(false));
        let unanswered = Arc::new(AtomicBool::new(false));
        let latest = Arc::new(Mutex::new(None));
        let tracked = Tracked {
            id: id.clone(),
            taken: taken.clone(),
            unanswered: unanswered.clone(),
            latest: latest.clone(),
            diff_at_end: AtomicBool::new(false),
        };
        let _live = Live::new(&id);
        let response = TRACKED.scope(tracked, call).await;
        let latest = latest.lock().unwrap().take();
        let response = response?;
        let CallToolResponse::Complete(mut result) = response else {
            return Ok(response);
        };
        let changes = if unanswered.load(Ordering::SeqCst) {
            json!({ "unknown": "Blender did not answer, so what the call changed is unknown" })
        } else if !taken.load(Ordering::SeqCst) {
            json!({})
        } else {
            match latest {
                Some(diff) => checked(diff.map_err(|e| format!("the diff failed: {e}"))),
                None => self.diff(&id).await,
            }
        };
        attach(&mut result, changes);
        Ok(result.into())
    }

    /// The scene now against the snapshot `id`, in a request of its own.
    async fn diff(&self, id: &str) -> Value {
        let diff = self
            .run_snippet::<Value>(&DIFF, json!({ "changes_id": id, "cap": CAP }))
            .await
            .map_err(|e| e.message().to_owned());
        checked(diff)
    }
}

/// A diff's answer as `changes`, checked against its shape.
fn checked(diff: Result<Value, String>) -> Value {
    let changes = diff
        .and_then(|value| {
            serde_json::from_value::<Changes>(value).map_err(|e| {
                format!("Blender answered the diff in an unexpected shape ({e}); the addon and server versions may not match")
            })
        })
        .unwrap_or_else(|unknown| Changes {
            unknown: Some(unknown),
            ..Changes::default()
        });
    serde_json::to_value(changes)
        .unwrap_or_else(|e| json!({ "unknown": format!("the changes could not be encoded: {e}") }))
}

/// Puts `changes` into a tool's answer: into its structured content (and
/// the text that mirrors it), or as a sentence after an error's text.
fn attach(result: &mut CallToolResult, changes: Value) {
    if result.is_error == Some(true) {
        let sentence = if changes.as_object().is_some_and(|c| c.is_empty()) {
            "Nothing was changed.".to_owned()
        } else {
            format!("What changed before the failure (kept): {changes}")
        };
        result.content.push(ContentBlock::text(sentence));
        return;
    }
    let mut structured = match result.structured_content.take() {
        Some(Value::Object(map)) => map,
        Some(other) => {
            // Not an object: nothing to add a field to; keep it as it was.
            result.structured_content = Some(other);
            return;
        }
        None => serde_json::Map::new(),
    };
    let mirrors: Vec<usize> = (0..result.content.len())
        .filter(|&i| {
            let text = result.content[i].as_text();
            text.is_some_and(|t| is_json_of(&t.text, &structured))
        })
        .collect();
    let Some(&first) = mirrors.first() else {
        structured.insert("changes".to_owned(), changes);
        result.structured_content = Some(Value::Object(structured));
        return;
    };
    // The new text is the old one and `,"changes":{..}`: sized exactly, so
    // it never regrows (a regrowth copies a large result once more).
    let old_len = result.content[first].as_text().map_or(0, |t| t.text.len());
    let new_len = old_len + r#","changes":"#.len() + changes.to_string().len();
    structured.insert("changes".to_owned(), changes);
    let structured = Value::Object(structured);
    // Each old text goes before the new one is built: at most one copy of a
    // large result besides the structured content.
    for &i in &mirrors {
        result.content[i] = ContentBlock::text(String::new());
    }
    for &i in &mirrors {
        let mut text = Vec::with_capacity(new_len);
        serde_json::to_writer(&mut text, &structured).expect("a JSON value serialises");
        let text = String::from_utf8(text).expect("serde_json writes UTF-8");
        result.content[i] = ContentBlock::text(text);
    }
    result.structured_content = Some(structured);
}

/// The shape of `changes`; what diff.py answers is checked against it.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Changes {
    /// New datablocks by kind (objects, meshes, materials, node_groups,
    /// collections, cameras, lights, images, actions, worlds).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub added: BTreeMap<String, Vec<String>>,
    /// Deleted datablocks by kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed: BTreeMap<String, Vec<String>>,
    /// Renamed datablocks by kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renamed: BTreeMap<String, Vec<Renamed>>,
    /// Objects that remain, with the aspects that changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub modified: BTreeMap<String, Vec<String>>,
    /// Instead of the lists past the cap: added/removed/renamed {kind: n},
    /// modified {aspect: n}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<BTreeMap<String, BTreeMap<String, u64>>>,
    /// Aspects not compared (scenes of more than 1,000 objects).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
    /// Why the changes are not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

/// One rename.
#[derive(Debug, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Renamed {
    /// The old name.
    pub from: String,
    /// The new name.
    pub to: String,
}
